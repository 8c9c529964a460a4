/**
 * Sandboxes with nothing to talk to — never created, another project's, or (for verify) not running — are reported
 * at once, from one observed snapshot, instead of after a whole /health wait or with a URL that leads nowhere.
 */
import type { VerifyReport } from '../apply/runtime.ts';
import type { ErrorCode } from '../errors.ts';
import { LABEL_PROJECT } from '../model/labels.ts';
import type { ObservedState } from '../model/observed.ts';

const ANSWERS = new Set(['Running', 'Starting']);

export interface LiveProblem {
  code: ErrorCode;
  message: string;
  hint: string;
}

/** Why `name` cannot be reached, or null. `running`: a stopped sandbox is a problem too. */
export function liveProblem(name: string, project: string, observed: ObservedState, options: { running: boolean }): LiveProblem | null {
  const live = observed.sandboxes.find((s) => s.name === name);
  if (live === undefined) {
    return { code: 'msb.sandbox_not_found', message: `sandbox ${name} does not exist (declared in the file, never created or removed since)`, hint: `create it with \`owctl apply --target ${name}\`` };
  }
  const owner = live.labels[LABEL_PROJECT];
  if (owner !== project) {
    return {
      code: 'plan.conflict',
      message: `the sandbox named ${name} is not project "${project}"'s (${owner === undefined ? 'not made by owctl' : `project "${owner}"`})`,
      hint: `\`owctl plan\` explains the conflict; rename ${name} in the file, or remove the other sandbox if it is yours to remove`,
    };
  }
  if (options.running && !ANSWERS.has(live.status)) {
    return { code: 'verify.failed', message: `sandbox ${name} is ${live.status}, so nothing answers`, hint: `start it with \`owctl apply --target ${name}\`` };
  }
  return null;
}

/** A verification that failed before its first request. */
export function failedAtOnce(url: string, problem: LiveProblem): VerifyReport {
  const step = { step: 'health' as const, ok: false, durationMs: 0, url, message: problem.message, hint: problem.hint };
  return { ok: false, steps: [step], failed: step };
}
