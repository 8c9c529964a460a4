/**
 * One OpenSandbox server, however its URL is spelt: the apply lock is keyed on this, so two owctl runs against the
 * same server (`localhost` and `127.0.0.1`, a trailing slash, another current folder) exclude each other. The lock
 * lives in the user's home, like msb's lives in its state folder; its name is a digest, so no URL part (and no
 * credential) appears in it.
 */
import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

const DEFAULT_PORTS: Record<string, string> = { 'http:': '80', 'https:': '443' };

/** scheme://host:port/path with loopback as one host, default ports explicit, credentials and trailing slashes dropped. */
export function serverIdentity(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  const raw = parsed.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const host = raw === 'localhost' || raw === '::1' || /^127(?:\.\d{1,3}){3}$/.test(raw) ? 'loopback' : raw;
  const port = parsed.port === '' ? (DEFAULT_PORTS[parsed.protocol] ?? '') : parsed.port;
  const path = parsed.pathname.replace(/\/+$/, '');
  return `${parsed.protocol}//${host}:${port}${path}`;
}

/** The folder whose `owctl/locks/` holds the locks for this server: absolute, per user. */
export function lockScope(url: string, env: NodeJS.ProcessEnv): string {
  const home = env.HOME !== undefined && env.HOME !== '' ? env.HOME : homedir();
  const digest = createHash('sha256').update(serverIdentity(url)).digest('hex').slice(0, 24);
  return resolve(join(home, '.owctl', 'opensandbox', digest));
}
