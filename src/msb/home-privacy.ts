/**
 * msb keeps every sandbox's env — the tokens included — in its state under MSB_HOME (msb 0.6.18: db/msb.db-wal,
 * mode 0644, in a 0755 folder). Only the folder's mode keeps other users out: owctl creates a missing MSB_HOME
 * private (0700), and doctor warns about one that others can read.
 */
import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { OwctlError } from '../errors.ts';
import { effectiveMsbHome } from './env.ts';

/**
 * Throws `msb.home_invalid` when MSB_HOME (or msb's default) is a file, or lies below one: msb and owctl's lock both
 * need a folder there. A missing one is fine (it is created), and one owctl cannot read is left to msb to report.
 */
export function checkMsbHome(env: NodeJS.ProcessEnv): void {
  const { path, source } = effectiveMsbHome(env);
  const kind = notFolder(resolve(path));
  if (kind === null) return;
  const name = source === 'MSB_HOME' ? 'MSB_HOME' : "msb's default MSB_HOME";
  throw new OwctlError('msb.home_invalid', `${name} ${path} is not a folder: it ${kind}`, {
    hint: source === 'MSB_HOME' ? 'point MSB_HOME at a folder (msb creates a missing one), or unset it to use ~/.microsandbox' : `move the file away from ${path}, or set MSB_HOME to a folder`,
    details: { msb_home: path },
  });
}

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

/** Why `path` cannot be a folder (it is a file, or lies below one), or null. */
function notFolder(path: string): string | null {
  for (let current = path; ; current = dirname(current)) {
    let info;
    try {
      info = statSync(current, { throwIfNoEntry: false });
    } catch (error) {
      // ENOTDIR: a parent is a file (found on the way up); anything else, unreadable: msb says why.
      if ((error as NodeJS.ErrnoException).code !== 'ENOTDIR') return null;
    }
    if (info !== undefined) return info.isDirectory() ? null : current === path ? 'is a file' : `lies below a file (${current})`;
    if (dirname(current) === current) return null;
  }
}

/** A warning when other users can read or enter MSB_HOME; null when it is private or does not exist. */
export async function msbHomeWarning(path: string): Promise<string | null> {
  const info = await stat(path).catch(() => undefined);
  if (info === undefined || (info.mode & 0o077) === 0) return null;
  const mode = (info.mode & 0o777).toString(8).padStart(4, '0');
  return `MSB_HOME ${path} is readable by other users (mode ${mode}): msb stores sandbox env there, tokens included; run \`chmod 700 ${path}\``;
}
