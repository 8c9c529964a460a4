/**
 * Preflight problems as a reader takes them in: identical ones (same severity, code, message and hint: thirty
 * sandboxes of one uncached image) are one entry naming its sandboxes; errors come before warnings.
 */
import type { PreflightProblem } from '../model/preflight.ts';
import { nameList } from '../name-list.ts';

/** Sandboxes an entry names before it counts the rest. */
const MAX_NAMED = 5;

export interface ProblemGroup {
  severity: PreflightProblem['severity'];
  code: PreflightProblem['code'];
  /** Empty for problems of the host. */
  sandboxes: string[];
  message: string;
  hint: string;
}

export function groupProblems(problems: readonly PreflightProblem[]): ProblemGroup[] {
  const groups = new Map<string, ProblemGroup>();
  for (const problem of problems) {
    const key = JSON.stringify([problem.severity, problem.code, problem.message, problem.hint]);
    const group = groups.get(key) ?? { severity: problem.severity, code: problem.code, sandboxes: [], message: problem.message, hint: problem.hint };
    if (problem.sandbox !== undefined) group.sandboxes.push(problem.sandbox);
    groups.set(key, group);
  }
  return [...groups.values()].sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1));
}

/** `alice`, or `30 sandboxes (a, b, c, d, e and 25 more)`; '' for the host. */
export function groupSubject(group: ProblemGroup, format: (name: string) => string = (name) => name): string {
  const { sandboxes } = group;
  if (sandboxes.length <= 1) return sandboxes.map(format).join('');
  return `${sandboxes.length} sandboxes (${nameList(sandboxes, MAX_NAMED, format)})`;
}
