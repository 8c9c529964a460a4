/**
 * `owctl connect NAME`: what a remote OpenWork client needs to pair — the connect URL and which variable holds the
 * token. The token itself only with --show-token (an explicit request to print a secret).
 */
import { EXIT, OwctlError } from '../errors.ts';
import type { CommandIO } from './io.ts';
import { loadFile } from './load-file.ts';
import { openBackend, startMsb } from './backend.ts';
import { DEFAULT_PARALLELISM } from './snapshot.ts';
import { liveProblem } from './verify-live.ts';
import { connectPerson } from './connect-person.ts';

export async function connectCommand(options: { file: string; msb?: string; name: string; showToken: boolean; json: boolean; as?: string }, io: CommandIO): Promise<number> {
  const early = startMsb(options.msb, io);
  // A person's token comes from their file, not from the file's variables.
  const { desired, secrets } = await loadFile(options.file, io, 'connect', { optionalSecrets: !options.showToken || options.as !== undefined });
  const sandbox = desired.sandboxes.find((s) => s.name === options.name);
  if (sandbox === undefined) throw new OwctlError('usage', `no sandbox named ${options.name} in ${options.file}`, { hint: 'run `owctl status` to list them' });
  const backend = await openBackend(desired, secrets, io, early);
  // Pairing details are only worth printing for a sandbox that exists and is this project's.
  const problem = liveProblem(sandbox.name, desired.project, await backend.observe(desired, { parallelism: DEFAULT_PARALLELISM }), { running: false });
  if (problem !== null) throw new OwctlError(problem.code, problem.message, { hint: problem.hint });
  const address = await backend.serverAddress(sandbox);
  if (address === null) {
    const port = sandbox.serverPort;
    const hint = backend.capabilities.backend === 'msb' ? `add ports: [{ host: ${port}, guest: ${port} }] to sandboxes.${sandbox.name}` : `create it with \`owctl apply\``;
    throw new OwctlError('usage', `${sandbox.name} has no address for guest port ${port} (server.port)`, { hint });
  }
  if (options.as !== undefined) return connectPerson(sandbox, desired.dir, options.as, address, options, io, backend);
  const url = address.url;
  const headers = Object.keys(address.headers).sort();
  const details = {
    sandbox: sandbox.name,
    url,
    token_env: sandbox.tokens.clientEnv,
    host_token_env: sandbox.tokens.hostEnv,
    ...(headers.length > 0 ? { headers: address.headers } : {}),
    ...(options.showToken ? { token: sandbox.tokens.client } : {}),
  };
  if (options.json) {
    io.stdout(`${JSON.stringify({ format_version: '1.0', ...details }, null, 2)}\n`);
    return EXIT.ok;
  }
  io.stdout(`OpenWork server for ${sandbox.name}\n  URL:    ${url}\n`);
  for (const name of headers) io.stdout(`  header: ${name}: ${address.headers[name]}\n`);
  io.stdout(`  token:  ${options.showToken ? sandbox.tokens.client : `(hidden) the client token set in the file as ${sandbox.tokens.clientEnv}; --show-token prints it`}\n`);
  io.stdout(`\nIn the OpenWork app: add a remote workspace with this URL and the client token.\nCheck it like a client would: owctl verify ${sandbox.name}\n`);
  return EXIT.ok;
}
