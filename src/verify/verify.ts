/**
 * Verification after `owctl apply`: proves, the way a remote OpenWork client would, that a sandbox's server is up,
 * enforces client auth, holds our client token, runs a working OpenCode behind its proxy, streams live events to a
 * client, and holds our host token.
 * Steps run in order and stop at the first failure. Tokens and response bodies never reach results; any text that
 * could echo input is redacted.
 */
import { HttpClient } from './http.ts';
import { displayUrl, redact } from './redact.ts';
import { events } from './events.ts';
import { publicDefaults } from './public-defaults.ts';
import * as steps from './steps.ts';
import { guestCredentials } from './guest-credentials.ts';
import { newRunId } from './verify-sessions.ts';
import type { StepContext, StepOutcome } from './steps.ts';
import type { VerifyResult, VerifyStepName, VerifyStepResult, VerifyTarget, WaitingListener } from './types.ts';

export type { VerifyResult, VerifyStepName, VerifyStepResult, VerifyTarget, WaitingListener } from './types.ts';
export { VERIFY_STEPS } from './types.ts';

const RUNNERS: ReadonlyArray<[VerifyStepName, (ctx: StepContext) => Promise<StepOutcome>]> = [
  ['health', steps.health],
  ['unauthorized', steps.unauthorized],
  ['default-tokens', publicDefaults],
  ['authorized', steps.authorized],
  ['session', steps.session],
  ['events', events],
  ['host-token', steps.hostToken],
  ['credentials', guestCredentials],
];

function toResult(step: VerifyStepName, outcome: StepOutcome, durationMs: number, secrets: readonly string[]): VerifyStepResult {
  const result: VerifyStepResult = { step, ok: outcome.ok, durationMs, url: displayUrl(outcome.url, secrets) };
  if (outcome.status !== undefined) result.status = outcome.status;
  if (outcome.message !== undefined) result.message = redact(outcome.message, secrets);
  if (outcome.hint !== undefined) result.hint = outcome.hint;
  if (outcome.code !== undefined) result.code = outcome.code;
  return result;
}

export async function verifyEndpoint(
  target: VerifyTarget,
  onStep?: (step: VerifyStepResult) => void,
  signal?: AbortSignal,
  onWaiting?: WaitingListener,
): Promise<VerifyResult> {
  const secrets = [target.clientToken, target.hostToken, ...(target.credentials?.values ?? [])];
  const http = new HttpClient(secrets, target.headers);
  const ctx: StepContext = {
    http,
    base: target.baseUrl.replace(/\/+$/, ''),
    target,
    signal,
    onWaiting,
    runId: target.runId ?? newRunId(),
    deadline: Date.now() + target.timeoutSecs * 1000,
  };
  const results: VerifyStepResult[] = [];
  try {
    for (const [step, run] of RUNNERS) {
      if (step === 'credentials' && target.credentials === undefined) continue;
      const started = performance.now();
      const outcome = await run(ctx);
      const result = toResult(step, outcome, Math.round(performance.now() - started), secrets);
      results.push(result);
      onStep?.(result);
      if (!result.ok) return { ok: false, steps: results, failed: result };
    }
    return { ok: true, steps: results };
  } finally {
    await http.close();
  }
}
