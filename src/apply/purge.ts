/**
 * `destroy --purge`: delete the bind-mount source folders of destroyed sandboxes, but only those that resolve
 * (symlinks followed) to a place strictly inside the project folder. Never the project folder itself, never a path
 * reached through a symlink that leads out of it; links inside are removed as links, not followed.
 */
import { realpath, rm } from 'node:fs/promises';
import { sep } from 'node:path';

export interface PurgeOutcome {
  path: string;
  removed: boolean;
  reason?: string;
}

async function real(path: string): Promise<string | null> {
  try {
    return await realpath(path);
  } catch {
    return null;
  }
}

export async function purgeFolders(paths: string[], projectDir: string): Promise<PurgeOutcome[]> {
  const root = (await real(projectDir)) ?? projectDir;
  const outcomes: PurgeOutcome[] = [];
  for (const path of [...new Set(paths)].sort()) {
    const resolved = await real(path);
    if (resolved === null) {
      outcomes.push({ path, removed: false, reason: 'does not exist' });
    } else if (!resolved.startsWith(root + sep)) {
      outcomes.push({ path, removed: false, reason: `outside the project folder ${root} (kept)` });
    } else {
      await rm(resolved, { recursive: true, force: true });
      outcomes.push({ path, removed: true });
    }
  }
  return outcomes;
}
