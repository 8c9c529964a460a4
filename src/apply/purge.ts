/**
 * `destroy --purge`: which bind-mount sources of the destroyed sandboxes to delete, decided before anything is
 * destroyed so the plan and the prompt can name each one, then carried out for exactly those.
 *
 * An entry is deleted only when
 *  - owctl created that very folder for one of the sandboxes destroyed (its record, src/apply/created-folders.ts):
 *    a folder the user or anyone else made is never deleted, whichever sandbox binds it;
 *  - its location (its parent folder resolved, the entry itself not followed) is strictly inside the project folder;
 *  - no surviving sandbox mounts it, anything inside it, or a folder it is inside (a shared folder, or `./.owctl`
 *    bound by one sandbox while another binds `./.owctl/x`).
 * A symlink is removed as a link: its target is never read, followed or deleted. Folders are removed without
 * following the links inside them (fs.rm works on lstat).
 */
import { lstat, realpath, rm, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { stillCreatedFolder, type CreatedFolder } from './created-folders.ts';

export type PurgeKind = 'folder' | 'link' | 'file';

/** One bind source of a destroyed sandbox: deleted (`delete`) or kept, with why. */
export interface PurgeItem {
  path: string;
  /** The entry itself, its parent resolved: what is removed. */
  location: string;
  kind: PurgeKind | null;
  delete: boolean;
  /** Why it is kept; absent when it is deleted. */
  reason?: string;
  /** The sandboxes that mount it. */
  sandboxes: string[];
}

export interface PurgeOutcome {
  path: string;
  removed: boolean;
  reason?: string;
}

/** A sandbox and the host paths it binds. */
export interface BindOwner {
  name: string;
  sources: string[];
}

async function real(path: string): Promise<string | null> {
  try {
    return await realpath(path);
  } catch {
    return null;
  }
}

/** Where the entry itself lives: its parent folder resolved, the last component not followed. */
async function locationOf(path: string): Promise<string | null> {
  const absolute = resolve(path);
  const parent = await real(dirname(absolute));
  return parent === null ? null : join(parent, basename(absolute));
}

async function kindOf(location: string): Promise<PurgeKind | null> {
  try {
    const stats = await lstat(location);
    return stats.isSymbolicLink() ? 'link' : stats.isDirectory() ? 'folder' : 'file';
  } catch {
    return null;
  }
}

const within = (path: string, root: string) => path.startsWith(root.endsWith(sep) ? root : root + sep);
const overlaps = (a: string, b: string) => a === b || within(a, b) || within(b, a);

/** Every way a survivor's bind source can name a place: as written, its entry's location, and where it leads. */
async function survivorPlaces(survivors: BindOwner[]): Promise<Array<{ name: string; places: string[] }>> {
  return Promise.all(
    survivors.map(async (owner) => {
      const places: string[] = [];
      for (const source of owner.sources) {
        places.push(resolve(source));
        for (const place of [await locationOf(source), await real(source)]) if (place !== null) places.push(place);
      }
      return { name: owner.name, places };
    }),
  );
}

/** Whether owctl's record says it created the folder at `path` for one of `sandboxes`, and it is still that folder. */
async function createdByOwctl(path: string, sandboxes: readonly string[], created: readonly CreatedFolder[]): Promise<boolean> {
  for (const entry of created) if (entry.path === path && sandboxes.includes(entry.sandbox) && (await stillCreatedFolder(entry))) return true;
  return false;
}

/**
 * The purge plan for `destroyed`, given the sandboxes that survive (of any project, and those the file declares) and
 * the folders owctl recorded creating. Sorted by path.
 */
export async function planPurge(destroyed: BindOwner[], survivors: BindOwner[], projectDir: string, created: readonly CreatedFolder[]): Promise<PurgeItem[]> {
  const root = (await real(projectDir)) ?? resolve(projectDir);
  const mountedBy = new Map<string, string[]>();
  for (const owner of destroyed) for (const source of owner.sources) mountedBy.set(source, [...(mountedBy.get(source) ?? []), owner.name]);
  const others = await survivorPlaces(survivors);
  const items: PurgeItem[] = [];
  for (const path of [...mountedBy.keys()].sort()) {
    const sandboxes = [...new Set(mountedBy.get(path))].sort();
    const location = await locationOf(path);
    const kind = location === null ? null : await kindOf(location);
    const keep = (reason: string) => items.push({ path, location: location ?? resolve(path), kind, delete: false, reason, sandboxes });
    if (location === null || kind === null) {
      keep('does not exist');
      continue;
    }
    if (!within(location, root)) {
      keep(`outside the project folder ${root}`);
      continue;
    }
    if (!(await createdByOwctl(path, sandboxes, created))) {
      keep('owctl did not create it (no record of owctl making it: it existed before, or was made again since, or by an owctl older than this record); delete it yourself if you mean to');
      continue;
    }
    // A link is only a name: a survivor is hurt by its removal only when it reaches its folder through this name.
    const mine = kind === 'link' ? [location] : [location, (await real(location)) ?? location];
    const users = others.filter((other) => other.places.some((place) => mine.some((own) => (kind === 'link' ? place === own || within(place, own) : overlaps(place, own)))));
    if (users.length > 0) {
      keep(`still mounted by ${users.map((u) => u.name).sort().join(', ')}`);
      continue;
    }
    items.push({ path, location, kind, delete: true, sandboxes });
  }
  return items;
}

/**
 * Deletes the items planned for deletion, re-checking each entry first: one that changed kind or moved out of the
 * project since the plan was made is kept.
 */
export async function carryOutPurge(items: PurgeItem[], projectDir: string): Promise<PurgeOutcome[]> {
  const root = (await real(projectDir)) ?? resolve(projectDir);
  const outcomes: PurgeOutcome[] = [];
  for (const item of items) {
    if (!item.delete) {
      outcomes.push({ path: item.path, removed: false, reason: item.reason });
      continue;
    }
    const location = await locationOf(item.path);
    const kind = location === null ? null : await kindOf(location);
    if (location === null || kind === null) {
      outcomes.push({ path: item.path, removed: false, reason: 'does not exist' });
    } else if (location !== item.location || kind !== item.kind || !within(location, root)) {
      outcomes.push({ path: item.path, removed: false, reason: 'changed since the plan was made' });
    } else {
      if (kind === 'folder') await rm(location, { recursive: true, force: true });
      else await unlink(location);
      outcomes.push({ path: item.path, removed: true });
    }
  }
  return outcomes;
}

/** The bind sources of each sandbox. */
export function bindOwners(sandboxes: ReadonlyArray<{ name: string; mounts: ReadonlyArray<{ type: string; source?: string }> }>): BindOwner[] {
  return sandboxes.map((s) => ({ name: s.name, sources: s.mounts.flatMap((m) => (m.type === 'bind' && m.source !== undefined ? [m.source] : [])) }));
}
