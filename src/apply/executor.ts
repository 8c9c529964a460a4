/**
 * The executor: carries out a plan. It makes no decisions (compose's executor.go): each change's steps follow
 * mechanically from its action and flags. Changes run in parallel up to a bound; one failure does not stop the
 * others; an abort starts nothing new and lets in-flight work finish.
 */
import { ownedLabels } from '../model/applied.ts';
import type { DesiredSandbox, DesiredState } from '../model/desired.ts';
import type { Change } from '../model/plan.ts';
import { OwctlError, isOwctlError } from '../errors.ts';
import type { ApplyEvent, ApplyResult, ChangeOutcome } from './events.ts';
import { modifyPatch } from './patch.ts';
import { runPool } from './pool.ts';
import type { Runtime } from './runtime.ts';
import { ensureImage, launchArgv } from './image.ts';

export const DEFAULT_APPLY_PARALLELISM = 4;

export interface ExecuteOptions {
  parallelism: number;
  signal: AbortSignal;
  onEvent: (event: ApplyEvent) => void;
  /** Skip verification (tests of the executor alone; never exposed for apply). */
  verify?: boolean;
}

class StepFailure extends Error {
  constructor(readonly step: string, readonly error: unknown) {
    super(error instanceof Error ? error.message : String(error));
  }
}

interface Context {
  project: string;
  runtime: Runtime;
  options: ExecuteOptions;
  change: Change;
}

async function step<T>(ctx: Context, name: string, body: () => Promise<T>): Promise<T> {
  const started = Date.now();
  ctx.options.onEvent({ type: 'step_start', sandbox: ctx.change.sandbox, step: name });
  try {
    const result = await body();
    ctx.options.onEvent({ type: 'step_finish', sandbox: ctx.change.sandbox, step: name, ok: true, duration_ms: Date.now() - started });
    return result;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    ctx.options.onEvent({ type: 'step_finish', sandbox: ctx.change.sandbox, step: name, ok: false, duration_ms: Date.now() - started, message });
    throw new StepFailure(name, error);
  }
}

async function verifySandbox(ctx: Context, sandbox: DesiredSandbox): Promise<void> {
  if (ctx.options.verify === false) return;
  await step(ctx, 'verify', async () => {
    const report = await ctx.runtime.verify(
      sandbox,
      (s) => ctx.options.onEvent({ type: 'step_finish', sandbox: sandbox.name, step: `verify:${s.step}`, ok: s.ok, duration_ms: s.durationMs, message: s.message }),
      ctx.options.signal,
    );
    if (!report.ok) {
      const failed = report.failed;
      const where = failed ? `step ${failed.step} (${failed.url}${failed.status !== undefined ? `, HTTP ${failed.status}` : ''})` : 'verification';
      throw new OwctlError('verify.failed', `verification failed at ${where}: ${failed?.message ?? 'no detail'}`, { hint: failed?.hint });
    }
  });
}

/** Boot path shared by create and replace: image first (so a missing image never costs the old sandbox). */
async function createSandbox(ctx: Context, sandbox: DesiredSandbox, removeFirst: boolean): Promise<void> {
  const image = await ensureImage(ctx.runtime, sandbox, (name, body) => step(ctx, name, body));
  if (removeFirst) await step(ctx, 'remove', () => ctx.runtime.remove(sandbox.name));
  await step(ctx, 'prepare-mounts', () => ctx.runtime.prepareMounts(sandbox));
  await step(ctx, 'create', () => ctx.runtime.create(sandbox, ownedLabels(ctx.project, sandbox)));
  await step(ctx, 'launch-server', () => ctx.runtime.launchServer(sandbox.name, launchArgv(sandbox, image)));
}

async function startSandbox(ctx: Context, sandbox: DesiredSandbox, bootFirst: boolean): Promise<void> {
  const image = await step(ctx, 'check-image', () => ctx.runtime.inspectImage(sandbox.image.ref));
  if (bootFirst) await step(ctx, 'start', () => ctx.runtime.start(sandbox.name));
  await step(ctx, 'launch-server', () => ctx.runtime.launchServer(sandbox.name, launchArgv(sandbox, image)));
}

async function carryOut(ctx: Context, sandbox: DesiredSandbox | undefined): Promise<void> {
  const { change, runtime } = ctx;
  if (change.action === 'delete') {
    await step(ctx, 'remove', () => runtime.remove(change.sandbox));
    return;
  }
  if (sandbox === undefined) throw new StepFailure('plan', new Error(`"${change.sandbox}" is not declared in the file`));
  switch (change.action) {
    case 'create':
      await createSandbox(ctx, sandbox, false);
      break;
    case 'replace':
      await createSandbox(ctx, sandbox, true);
      break;
    case 'update': {
      const patch = modifyPatch(ctx.project, change, sandbox);
      await step(ctx, 'modify', () => runtime.modify(sandbox.name, patch, { restart: change.restart }));
      // A restarted VM boots idle (msb does not persist the launch command); a stopped one must be booted.
      if (change.start) await startSandbox(ctx, sandbox, !change.restart);
      break;
    }
    case 'start':
      await startSandbox(ctx, sandbox, change.status !== 'Running' && change.status !== 'Starting');
      break;
    case 'noop':
      return;
  }
  await verifySandbox(ctx, sandbox);
}

function failureOf(error: unknown): ChangeOutcome['error'] {
  const stepName = error instanceof StepFailure ? error.step : 'apply';
  const inner = error instanceof StepFailure ? error.error : error;
  if (isOwctlError(inner)) return { step: stepName, code: inner.code, message: inner.message, hint: inner.hint };
  return { step: stepName, code: 'apply.failed', message: inner instanceof Error ? inner.message : String(inner) };
}

export async function execute(changes: Change[], desired: DesiredState, runtime: Runtime, options: ExecuteOptions): Promise<ApplyResult> {
  const byName = new Map(desired.sandboxes.map((s) => [s.name, s]));
  const outcomes: ChangeOutcome[] = [];
  const work = changes.filter((c) => c.action !== 'noop');
  const skipped = await runPool(
    work,
    options.parallelism,
    async (change) => {
      const started = Date.now();
      options.onEvent({ type: 'change_start', sandbox: change.sandbox, action: change.action });
      try {
        await carryOut({ project: desired.project, runtime, options, change }, byName.get(change.sandbox));
        const durationMs = Date.now() - started;
        options.onEvent({ type: 'change_finish', sandbox: change.sandbox, action: change.action, duration_ms: durationMs });
        outcomes.push({ sandbox: change.sandbox, action: change.action, outcome: 'succeeded', durationMs });
      } catch (error) {
        const durationMs = Date.now() - started;
        const failure = failureOf(error)!;
        options.onEvent({ type: 'change_failed', sandbox: change.sandbox, action: change.action, duration_ms: durationMs, ...failure });
        outcomes.push({ sandbox: change.sandbox, action: change.action, outcome: 'failed', durationMs, error: failure });
      }
    },
    () => options.signal.aborted,
  );
  for (const change of skipped) {
    const reason = 'interrupted before it started';
    options.onEvent({ type: 'change_skipped', sandbox: change.sandbox, action: change.action, reason });
    outcomes.push({ sandbox: change.sandbox, action: change.action, outcome: 'skipped', durationMs: 0, reason });
  }
  outcomes.sort((a, b) => (a.sandbox < b.sandbox ? -1 : 1));
  return { outcomes, interrupted: options.signal.aborted };
}
