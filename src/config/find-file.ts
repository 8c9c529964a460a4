/**
 * Where the default file is: `openwork.yaml` in the current folder, else in the nearest parent folder that has one
 * (docker compose's rule for its file), so owctl works from anywhere inside a project. -f and OWCTL_FILE are never
 * searched for: a file named is the file meant.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The nearest `name` from `cwd` up to the root; null when there is none. */
export function findUpward(cwd: string, name: string): string | null {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const candidate = join(dir, name);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return null;
  }
}
