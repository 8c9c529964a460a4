/**
 * `owctl connect NAME --as PERSON [--show-token]`: one person's pairing details: the URL, their scope and the file
 * holding their token. The value only with --show-token, read from that file (written once, when it was issued);
 * under GitHub Actions it is masked first, so handing it to a pipeline's secret store never shows it in the log.
 */
import type { Backend, ServerAddress } from '../apply/backend.ts';
import { EXIT, OwctlError } from '../errors.ts';
import type { DesiredSandbox } from '../model/desired.ts';
import { readTokenFile, tokenFilePath } from '../secrets/token-files.ts';
import { isGitHubActions, type CommandIO } from './io.ts';
import { notCurrent, recordOn, standingOf } from './token-standing.ts';

export async function connectPerson(sandbox: DesiredSandbox, projectDir: string, person: string, address: ServerAddress, options: { showToken: boolean; json: boolean }, io: CommandIO, backend?: Backend): Promise<number> {
  const entry = (sandbox.access ?? []).find((e) => e.person === person);
  if (entry === undefined) {
    const people = (sandbox.access ?? []).map((e) => e.person);
    throw new OwctlError('usage', `no person ${person} in sandboxes.${sandbox.name}.access${people.length > 0 ? ` (it names ${people.join(', ')})` : ''}`, {
      hint: `add ${person}: { scope: viewer } under sandboxes.${sandbox.name}.access, then \`owctl apply\``,
    });
  }
  const file = tokenFilePath(projectDir, sandbox.name, person);
  const held = await readTokenFile(projectDir, sandbox.name, person);
  const value = options.showToken ? held : null;
  // A file another machine's rotation left behind would get a bare 401: say so, on stderr (stdout stays the document).
  const standing = held !== null && backend !== undefined ? standingOf(await recordOn(backend, sandbox), sandbox, person, held) : 'unknown';
  if (standing === 'other') {
    const { message, hint } = notCurrent(projectDir, sandbox, person);
    io.stderr(`warning: ${message}\nhint: ${hint}\n`);
  }
  if (options.showToken && value === null) {
    throw new OwctlError('usage', `${file} does not exist: this machine has no value for ${person}'s token (it is written once, where the token was issued)`, {
      hint: `issue a new one here with \`owctl apply --rotate ${sandbox.name}/${person}\``,
    });
  }
  // On stderr, as for the file's secrets: stdout stays the document a pipeline pipes into its secret store.
  if (value !== null && isGitHubActions(io.env)) io.stderr((await import('../views/github.ts')).maskCommands([value]));
  const headers = Object.keys(address.headers).sort();
  if (options.json) {
    const details = {
      format_version: '1.2',
      sandbox: sandbox.name,
      url: address.url,
      token_env: sandbox.tokens.clientEnv,
      host_token_env: sandbox.tokens.hostEnv,
      ...(headers.length > 0 ? { headers: address.headers } : {}),
      person,
      scope: entry.scope,
      token_file: file,
      ...(standing === 'unknown' ? {} : { token_file_current: standing === 'current' }),
      ...(value !== null ? { token: value } : {}),
    };
    io.stdout(`${JSON.stringify(details, null, 2)}\n`);
    return EXIT.ok;
  }
  io.stdout(`OpenWork server for ${sandbox.name}, as ${person} (${entry.scope})\n  URL:    ${address.url}\n`);
  for (const name of headers) io.stdout(`  header: ${name}: ${address.headers[name]}\n`);
  io.stdout(`  token:  ${value ?? `(hidden) in ${file}; --show-token prints it`}\n`);
  return EXIT.ok;
}
