/**
 * Values that carry a secret of the file inside them (`AUTH_HEADER: "Bearer ${OPENWORK_TOKEN}"`). Such a value
 * is as secret as what it carries:
 *  - an env value holding one is sensitive as a whole (plans show `(sensitive value)`, it never goes into a label or
 *    onto msb's command line, and a change to it replaces the sandbox);
 *  - a value that can only be public (labels, which msb stores and lists in clear; the command, which is on msb's
 *    argv; an image reference; host and guest paths; the connect host) is refused at its line.
 * The secrets are the tokens, env values marked sensitive, credential values and the backend's API key, of every
 * sandbox in the file.
 * A value equal to one counts whatever its length; one merely containing it counts when the secret has at least
 * MIN_CONTAINED characters, so that a short sensitive value (a PIN) does not claim every value it happens to be in.
 */
import { credentialsOf, type BackendSpec, type DesiredSandbox } from '../model/desired.ts';
import type { Issue, Segment } from './issue.ts';

export const MIN_CONTAINED = 8;

/** Every secret value the sandboxes and the backend hold. */
export function secretsOf(sandboxes: readonly DesiredSandbox[], backend: BackendSpec): string[] {
  const secrets = new Set<string>();
  for (const sandbox of sandboxes) {
    for (const token of [sandbox.tokens.client, sandbox.tokens.host]) secrets.add(token);
    for (const key of sandbox.sensitiveEnv) secrets.add(sandbox.env[key] ?? '');
    for (const credential of Object.values(credentialsOf(sandbox))) secrets.add(credential.value);
  }
  if (backend.type === 'opensandbox' && backend.apiKey !== undefined) secrets.add(backend.apiKey);
  secrets.delete('');
  return [...secrets];
}

/** Whether `value` is, or holds, one of `secrets`. */
export function bearsSecret(value: unknown, secrets: readonly string[]): boolean {
  // A value the schema refused may be missing here; it is reported as such.
  return typeof value === 'string' && secrets.some((secret) => value === secret || (secret.length >= MIN_CONTAINED && value.includes(secret)));
}

/** Marks every env value that is or holds a secret as sensitive. Returns the file's secrets, bearers included. */
export function markSecretBearers(sandboxes: DesiredSandbox[], backend: BackendSpec): string[] {
  const secrets = secretsOf(sandboxes, backend);
  for (const sandbox of sandboxes) {
    const bearers = Object.keys(sandbox.env).filter((key) => bearsSecret(sandbox.env[key]!, secrets));
    sandbox.sensitiveEnv = [...new Set([...sandbox.sensitiveEnv, ...bearers])].sort(byCodePoint);
  }
  return secrets;
}

/** Public values of `sandbox` that are or hold a secret, each at its place in the file. Never names the secret. */
export function checkPublicValues(sandbox: DesiredSandbox, secrets: readonly string[]): Issue[] {
  const at = (...rest: Segment[]): Segment[] => ['sandboxes', sandbox.name, ...rest];
  const issues: Issue[] = [];
  const refuse = (path: Segment[], what: string, on: 'key' | 'value' = 'value') =>
    issues.push({
      path,
      on,
      message: `holds a secret of the file (a token or a sensitive value), and ${what}`,
      hint: 'pass the secret through env instead, e.g. env: { API_TOKEN: { value: "${VAR}", sensitive: true } }, and read it there (the command can expand it: [/bin/sh, -c, \'exec server --token "$API_TOKEN"\'])',
    });
  for (const [key, value] of Object.entries(sandbox.labels)) {
    if (bearsSecret(key, secrets)) refuse(at('labels', key), 'label keys are stored and listed in clear', 'key');
    else if (bearsSecret(value, secrets)) refuse(at('labels', key), 'labels are stored and listed in clear');
  }
  sandbox.command?.forEach((arg, index) => {
    if (bearsSecret(arg, secrets)) refuse(at('command', index), 'the command is on a command line every local user can read');
  });
  const { ref, archive } = sandbox.image;
  if (bearsSecret(ref, secrets)) refuse(archive === undefined ? at('image') : at('image', 'ref'), 'an image reference is shown and stored in clear');
  if (archive !== undefined && bearsSecret(archive, secrets)) refuse(at('image', 'archive'), 'paths are shown and stored in clear');
  sandbox.mounts.forEach((mount, index) => {
    if (mount.type !== 'tmpfs' && bearsSecret(mount.source, secrets)) refuse(at('mounts', index, 'source'), 'paths and volume names are shown and stored in clear');
    if (bearsSecret(mount.target, secrets)) refuse(at('mounts', index, 'target'), 'paths are shown and stored in clear');
  });
  if (bearsSecret(sandbox.verify.connectHost, secrets)) refuse(at('verify', 'connect_host'), 'the connect host is shown in clear');
  return issues;
}

function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
