/**
 * `owctl init`: a starter openwork.yaml (kept if one exists), a .env with fresh crypto-random tokens for every token
 * variable the file reads that is not set yet, and .gitignore entries for .env and the state folder.
 */
import { parse as parseYaml } from 'yaml';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PERSISTED_STATE_ENV } from '../config/persisted-state.ts';
import { EXIT } from '../errors.ts';
import type { CommandIO } from './io.ts';
import { relativeFile } from './paths.ts';

/** The commented egress block of the starter (and of the repository's openwork.yaml), under `defaults`. */
export const EGRESS_BLOCK = `  # Egress and a host-held model key (README: "Egress and credentials"). Without network, msb's default applies
  # (egress to public addresses only). Uncomment to limit egress and keep the key on this host: the guest's
  # ANTHROPIC_API_KEY then holds only a placeholder, which msb swaps for the key in requests to the listed hosts.
  # network:
  #   egress: deny
  #   rules:
  #     - { allow: api.anthropic.com, ports: [443] }    # the model providers you use
  #     - { allow: api.openai.com, ports: [443] }
  #     - { allow: models.opencode.ai, ports: [443] }   # OpenCode's model catalogue, fetched at start
  #     - { allow: registry.npmjs.org, ports: [443] }   # OpenCode's plugins, installed at start
  #     - { allow: "*.github.com", ports: [443] }       # git over HTTPS (github.com and its subdomains)
  # credentials:
  #   ANTHROPIC_API_KEY: { value: "\${ANTHROPIC_API_KEY}", hosts: [api.anthropic.com] }
`;

export const starter = (schema: string) => `# yaml-language-server: $schema=${schema}
version: 1
project: my-openwork
defaults:
  image: openwork-microsandbox:dev
  pull: if-missing
  resources: { cpus: 2, memory: 2G }
  idle_timeout: 30m
  max_duration: 8h
  env:
    # OpenCode's sessions, the server's issued tokens, the provider keys set through its /env and its config (with
    # runtime.sqlite beside it) go to /data (bound below), so they survive a replacement (an image bump, a port
    # change); only \`owctl destroy --purge\` deletes them.
${Object.entries(PERSISTED_STATE_ENV).map(([key, value]) => `    ${key}: ${value}`).join('\n')}
${EGRESS_BLOCK}sandboxes:
  main:
    mounts:
      - { type: bind, source: ./.owctl/main/workspace, target: /workspace }
      - { type: bind, source: ./.owctl/main/data, target: /data }
    ports:
      - { host: 8787, guest: 8787 }
    tokens:
      client: \${OPENWORK_TOKEN}
      host: \${OPENWORK_HOST_TOKEN}
    env: { OPENWORK_APPROVAL_MODE: auto }
`;

/** The starter for an OpenSandbox server: no ports, pull policy or tmpfs (the server has none), a start command. */
export const opensandboxStarter = (schema: string) => `# yaml-language-server: $schema=${schema}
version: 1
project: my-openwork
backend:
  type: opensandbox
  url: \${OPEN_SANDBOX_URL:-http://127.0.0.1:8080}
  api_key: \${OPEN_SANDBOX_API_KEY}      # the server's key; a secret, never printed
defaults:
  image: openwork-microsandbox:dev      # pulled by the server: use a registry it can reach
  command: [/usr/local/bin/microsandbox-entrypoint.sh]
  resources: { cpus: 2, memory: 2G }
  max_duration: 8h
sandboxes:
  main:
    tokens:
      client: \${OPENWORK_TOKEN}
      host: \${OPENWORK_HOST_TOKEN}
    env: { OPENWORK_APPROVAL_MODE: auto }
`;

export type InitBackend = 'msb' | 'opensandbox';

/** A whole-value reference `${NAME}`, `${NAME:-default}` or `${NAME:?message}`: the variable's name. */
const WHOLE_REFERENCE = /^\$\{([A-Za-z_][A-Za-z0-9_]*)(?::[?-][^}]*)?\}$/;

/**
 * Variables referenced as whole token values (`tokens.client` / `tokens.host`, in `defaults` or a sandbox), read
 * from the parsed YAML: block and flow mappings alike. A file that does not parse yields none (validate says why).
 */
export function tokenVariables(yamlText: string): string[] {
  let doc: unknown;
  try {
    doc = parseYaml(yamlText);
  } catch {
    return [];
  }
  const record = (value: unknown): Record<string, unknown> => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {});
  const root = record(doc);
  const holders = [record(root.defaults), ...Object.values(record(root.sandboxes)).map(record)];
  const names = new Set<string>();
  for (const holder of holders) {
    const tokens = record(holder.tokens);
    for (const value of [tokens.client, tokens.host]) {
      const name = typeof value === 'string' ? WHOLE_REFERENCE.exec(value)?.[1] : undefined;
      if (name !== undefined) names.add(name);
    }
  }
  return [...names].sort();
}

export function newToken(): string {
  return `owt_${randomBytes(24).toString('base64url')}`;
}

function envKeys(text: string): Set<string> {
  return new Set([...text.matchAll(/^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/gm)].map((m) => m[1]!));
}

async function ensureIgnored(dir: string, entries: string[]): Promise<string[]> {
  const path = join(dir, '.gitignore');
  const current = existsSync(path) ? await readFile(path, 'utf8') : '';
  const lines = new Set(current.split('\n').map((l) => l.trim()));
  const missing = entries.filter((e) => !lines.has(e) && !lines.has(`/${e}`));
  if (missing.length > 0) await appendFile(path, `${current === '' || current.endsWith('\n') ? '' : '\n'}${missing.join('\n')}\n`);
  return missing;
}

export async function initCommand(options: { file: string; backend?: InitBackend }, io: CommandIO): Promise<number> {
  const file = resolve(io.cwd, options.file);
  const dir = dirname(file);
  const say = (line: string) => io.stdout(`${line}\n`);
  if (existsSync(file)) say(`kept ${relativeFile(file, io.cwd)} (it exists)`);
  else {
    const schema = relative(dir, fileURLToPath(new URL('../../schemas/openwork.schema.json', import.meta.url)));
    const write = options.backend === 'opensandbox' ? opensandboxStarter : starter;
    await writeFile(file, write(schema.startsWith('.') ? schema : `./${schema}`), { flag: 'wx' });
    say(`wrote ${relativeFile(file, io.cwd)}`);
  }
  const envPath = join(dir, '.env');
  const envText = existsSync(envPath) ? await readFile(envPath, 'utf8') : '';
  const have = envKeys(envText);
  const variables = tokenVariables(await readFile(file, 'utf8'));
  const wanted = variables.filter((name) => !have.has(name) && !io.env[name]);
  if (wanted.length > 0) {
    const block = wanted.map((name) => `${name}=${newToken()}`).join('\n');
    await appendFile(envPath, `${envText === '' || envText.endsWith('\n') ? '' : '\n'}${block}\n`, { mode: 0o600 });
    say(`wrote fresh tokens for ${wanted.join(', ')} to ${relativeFile(envPath, io.cwd)} (values not shown; keep this file private)`);
  } else if (variables.length === 0) say(`wrote nothing to ${relativeFile(envPath, io.cwd)}: no tokens.client or tokens.host in the file reads a \${VARIABLE}`);
  else say(`kept ${relativeFile(envPath, io.cwd)}: every token variable is already set`);
  const ignored = await ensureIgnored(dir, ['.env', '.owctl/']);
  if (ignored.length > 0) say(`added ${ignored.join(', ')} to .gitignore`);
  const text = await readFile(file, 'utf8');
  if (/\$\{OPEN_SANDBOX_API_KEY\}/.test(text) && !have.has('OPEN_SANDBOX_API_KEY') && !io.env.OPEN_SANDBOX_API_KEY) {
    say(`set OPEN_SANDBOX_API_KEY (the OpenSandbox server's API key) in your environment or in ${relativeFile(envPath, io.cwd)}`);
  }
  say('next: owctl plan');
  return EXIT.ok;
}
