/**
 * The destroy plan: every live sandbox this project owns (by label), declared or not; nothing else, ever.
 * Protected ones stay blocked unless the caller explicitly includes them.
 */
import type { DesiredState } from '../model/desired.ts';
import { LABEL_PROJECT, LABEL_PROTECT } from '../model/labels.ts';
import type { ObservedState } from '../model/observed.ts';
import type { Action, Change, Plan } from '../model/plan.ts';
import { ACTIONS } from '../model/plan.ts';

export function destroyPlan(desired: DesiredState, observed: ObservedState, options: { includeProtected: boolean }): Plan {
  const protectedInFile = new Set(desired.sandboxes.filter((s) => s.protect).map((s) => s.name));
  const changes: Change[] = observed.sandboxes
    .filter((sandbox) => sandbox.labels[LABEL_PROJECT] === desired.project)
    .map((sandbox) => {
      const isProtected = protectedInFile.has(sandbox.name) || sandbox.labels[LABEL_PROTECT] === 'true';
      return {
        sandbox: sandbox.name,
        action: 'delete' as const,
        reason: `will be destroyed (owctl destroy; it is ${sandbox.status})`,
        fields: [],
        unchanged: 0,
        restart: false,
        start: false,
        blocked: isProtected && !options.includeProtected,
        status: sandbox.status,
      };
    });
  const summary = Object.fromEntries(ACTIONS.map((a) => [a, 0])) as Record<Action, number>;
  summary.delete = changes.length;
  return { project: desired.project, changes, conflicts: [], summary };
}
