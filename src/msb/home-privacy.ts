/**
 * msb keeps every sandbox's env — the tokens included — in its state under MSB_HOME (msb 0.6.18: db/msb.db-wal,
 * mode 0644, in a 0755 folder). Only the folder's mode keeps other users out: owctl creates a missing MSB_HOME
 * private (0700), and doctor warns about one that others can read.
 */
import { chmodSync, mkdirSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { effectiveMsbHome } from './env.ts';

/**
 * Creates MSB_HOME with mode 0700 when it does not exist yet; an existing one is left as it is. Synchronous (one
 * mkdir): it must happen before the first msb call, which would create the folder world-readable.
 */
export function ensurePrivateMsbHome(env: NodeJS.ProcessEnv): void {
  const { path } = effectiveMsbHome(env);
  try {
    if (mkdirSync(path, { recursive: true, mode: 0o700 }) !== undefined) chmodSync(path, 0o700);
  } catch {
    // Not ours to create (no permission, a file in the way): msb reports it on its first call.
  }
}

/** A warning when other users can read or enter MSB_HOME; null when it is private or does not exist. */
export async function msbHomeWarning(path: string): Promise<string | null> {
  const info = await stat(path).catch(() => undefined);
  if (info === undefined || (info.mode & 0o077) === 0) return null;
  const mode = (info.mode & 0o777).toString(8).padStart(4, '0');
  return `MSB_HOME ${path} is readable by other users (mode ${mode}): msb stores sandbox env there, tokens included; run \`chmod 700 ${path}\``;
}
