/**
 * The destroy plan: every live sandbox this project owns (by label), declared or not; nothing else, ever.
 * Protected ones stay blocked unless the caller explicitly includes them.
 */
import type { DesiredState } from '../model/desired.ts';
import { LABEL_PROJECT, LABEL_PROTECT } from '../model/labels.ts';
import type { ObservedSandbox, ObservedState } from '../model/observed.ts';
import type { Action, Change, Plan } from '../model/plan.ts';
import { ACTIONS } from '../model/plan.ts';

export function destroyPlan(desired: DesiredState, observed: ObservedState, options: { includeProtected: boolean }): Plan {
  const protectedInFile = new Set(desired.sandboxes.filter((s) => s.protect).map((s) => s.name));
  // Several live sandboxes may carry one name on engines whose key is not the name: one change deletes them all.
  const owned = new Map<string, ObservedSandbox[]>();
  for (const sandbox of observed.sandboxes) {
    if (sandbox.labels[LABEL_PROJECT] === desired.project) owned.set(sandbox.name, [...(owned.get(sandbox.name) ?? []), sandbox]);
  }
  const changes: Change[] = [...owned].map(([name, group]) => {
    const first = group[0]!;
    const isProtected = protectedInFile.has(name) || group.some((s) => s.labels[LABEL_PROTECT] === 'true');
    const ids = group.flatMap((s) => (s.id === undefined ? [] : [s.id])).sort();
    return {
      sandbox: name,
      action: 'delete' as const,
      reason: `will be destroyed (owctl destroy; it is ${first.status})`,
      fields: [],
      unchanged: 0,
      restart: false,
      start: false,
      blocked: isProtected && !options.includeProtected,
      status: first.status,
      ...(ids.length > 0 ? { instances: ids } : {}),
    };
  });
  const summary = Object.fromEntries(ACTIONS.map((a) => [a, 0])) as Record<Action, number>;
  summary.delete = changes.length;
  return { project: desired.project, changes, conflicts: [], summary };
}
