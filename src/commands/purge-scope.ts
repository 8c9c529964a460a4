/**
 * What `destroy --purge` must weigh: the bind sources of the sandboxes it destroys against those of every sandbox
 * that survives — the project's others and any other sandbox in this msb state (another project's, or one made by
 * hand), which the project's snapshot does not include.
 */
import { bindOwners, planPurge, type PurgeItem } from '../apply/purge.ts';
import type { ObservedSandbox } from '../model/observed.ts';
import type { DesiredSandbox, DesiredState } from '../model/desired.ts';
import type { CreatedFolder } from '../apply/created-folders.ts';
import { openMsb } from './backend.ts';
import type { CommandIO } from './io.ts';
import { mapLimit } from '../msb/map-limit.ts';

/** Sandboxes in this msb state outside the project's snapshot (none on a remote engine, whose mounts are not ours). */
export async function otherSandboxes(desired: DesiredState, msbFlag: string | undefined, known: readonly ObservedSandbox[], parallelism: number, io: CommandIO): Promise<ObservedSandbox[]> {
  if (desired.backend !== undefined && desired.backend.type !== 'msb') return [];
  const msb = await openMsb(msbFlag, io);
  const seen = new Set(known.map((s) => s.name));
  const names = (await msb.list()).map((row) => row.name).filter((name) => !seen.has(name));
  const found = await mapLimit(names, parallelism, (name) => msb.inspect(name));
  return found.filter((s): s is ObservedSandbox => s !== null);
}

/** What else a purge weighs: the folders owctl recorded creating, and the sandboxes the file declares. */
export interface PurgeContext {
  created: readonly CreatedFolder[];
  declared: readonly DesiredSandbox[];
}

/**
 * The purge plan when `destroyed` go and everything else in `all` stays. A folder a declared sandbox that is not
 * destroyed binds is the project's: kept, even while that sandbox does not exist.
 */
export function purgeFor(destroyed: ReadonlySet<string>, all: readonly ObservedSandbox[], projectDir: string, context: PurgeContext): Promise<PurgeItem[]> {
  const owners = bindOwners(all);
  const inFile = bindOwners(context.declared.filter((s) => !destroyed.has(s.name))).map((o) => ({ ...o, name: `${o.name} (in the file)` }));
  return planPurge(owners.filter((o) => destroyed.has(o.name)), [...owners.filter((o) => !destroyed.has(o.name)), ...inFile], projectDir, context.created);
}

/**
 * The purge to carry out once the destroy ran: a sandbox that failed to go still mounts its folders, so plan again
 * with it among the survivors, and delete only what both plans delete — never anything the user was not shown.
 */
export async function purgeAfter(destroyed: ReadonlySet<string>, all: readonly ObservedSandbox[], shownPlan: PurgeItem[], projectDir: string, context: PurgeContext): Promise<PurgeItem[]> {
  const shown = new Set(shownPlan.filter((i) => i.delete).map((i) => i.path));
  const now = (await purgeFor(destroyed, all, projectDir, context)).map((item) => (item.delete && !shown.has(item.path) ? { ...item, delete: false, reason: 'not in the plan shown' } : item));
  for (const item of shownPlan) {
    if (!now.some((n) => n.path === item.path)) now.push({ ...item, delete: false, reason: 'its sandbox was not destroyed' });
  }
  return now.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
