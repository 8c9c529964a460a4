/**
 * The machine form of a plan (`owctl plan --json`), versioned like Terraform's: additive changes bump the minor
 * version. Human output is rendered from this document, so the two can never disagree.
 */
import type { Action, Change, Conflict, Plan } from '../model/plan.ts';
import type { PreflightProblem } from '../model/preflight.ts';

/**
 * 1.1: `preflight` (what would make apply fail, found before any change); 1.2: a change's `access` operations; 1.3:
 * the access cause `record`.
 */
export const PLAN_FORMAT_VERSION = '1.3';

export interface PlanDocument {
  format_version: string;
  project: string;
  file: string;
  changes: Change[];
  conflicts: Conflict[];
  summary: Record<Action, number>;
  has_changes: boolean;
  /** What would make apply fail before it changes anything; present only when something was found. */
  preflight?: PreflightProblem[];
}

export function planDocument(plan: Plan, file: string, preflight: PreflightProblem[] = []): PlanDocument {
  return {
    format_version: PLAN_FORMAT_VERSION,
    project: plan.project,
    file,
    changes: plan.changes,
    conflicts: plan.conflicts,
    summary: plan.summary,
    has_changes: plan.changes.some((change) => change.action !== 'noop'),
    ...(preflight.length > 0 ? { preflight } : {}),
  };
}

export function renderPlanJson(document: PlanDocument): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}
