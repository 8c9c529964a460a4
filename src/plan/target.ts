/** `--target NAME…`: narrow a plan to some sandboxes (Terraform's -target), keeping the summary true. */
import type { Action, Plan } from '../model/plan.ts';
import { ACTIONS } from '../model/plan.ts';

export function targetPlan(plan: Plan, targets: readonly string[] | undefined): Plan {
  if (targets === undefined || targets.length === 0) return plan;
  const wanted = new Set(targets);
  const changes = plan.changes.filter((change) => wanted.has(change.sandbox));
  const summary = Object.fromEntries(ACTIONS.map((action) => [action, 0])) as Record<Action, number>;
  for (const change of changes) summary[change.action] += 1;
  return { ...plan, changes, conflicts: plan.conflicts.filter((c) => wanted.has(c.sandbox)), summary };
}

/** Target names that match nothing in the file or in live state: a typo, reported before anything runs. */
export function unknownTargets(plan: Plan, targets: readonly string[] | undefined): string[] {
  const known = new Set([...plan.changes.map((c) => c.sandbox), ...plan.conflicts.map((c) => c.sandbox)]);
  return (targets ?? []).filter((name) => !known.has(name));
}
