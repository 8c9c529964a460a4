/**
 * The executor: carries out a plan. It makes no decisions (compose's executor.go): each change's steps follow
 * mechanically from its action and flags. Changes run in parallel up to a bound; one failure does not stop the
 * others; an abort starts nothing new and lets in-flight work finish.
 */
import { ownedLabels } from '../model/applied.ts';
import { MSB_CAPABILITIES, type BackendCapabilities } from '../model/capabilities.ts';
import type { DesiredSandbox, DesiredState } from '../model/desired.ts';
import type { Change } from '../model/plan.ts';
import { OwctlError, isOwctlError } from '../errors.ts';
import type { ApplyEvent, ApplyResult, ChangeOutcome } from './events.ts';
import { modifyPatch } from './patch.ts';
import { runPool } from './pool.ts';
import type { Runtime } from './runtime.ts';
import { ensureImage, launchArgv } from './image.ts';
import { applyAccess } from './access.ts';

export const DEFAULT_APPLY_PARALLELISM = 4;

const PUBLIC_TOKEN = 'verify.public_token';

export interface ExecuteOptions {
  parallelism: number;
  signal: AbortSignal;
  onEvent: (event: ApplyEvent) => void;
  /** Skip verification (tests of the executor alone; never exposed for apply). */
  verify?: boolean;
  /** What the engine does itself (images, launching the server); default microsandbox's. */
  capabilities?: BackendCapabilities;
}

class StepFailure extends Error {
  constructor(readonly step: string, readonly error: unknown) {
    super(error instanceof Error ? error.message : String(error));
  }
}

/** An interrupt stopped the change before `step` started, or during it (verification, the one step it cuts). */
class StepInterrupted extends Error {
  constructor(readonly step: string, readonly during: boolean) {
    super(`interrupted ${during ? 'during' : 'before'} ${step}`);
  }
}

interface Context {
  project: string;
  runtime: Runtime;
  options: ExecuteOptions;
  change: Change;
}

async function step<T>(ctx: Context, name: string, body: () => Promise<T>, describe?: (result: T) => string | undefined): Promise<T> {
  // After an interrupt no step starts; the one in flight (an msb call) has finished by now.
  if (ctx.options.signal.aborted) throw new StepInterrupted(name, false);
  const started = Date.now();
  ctx.options.onEvent({ type: 'step_start', sandbox: ctx.change.sandbox, step: name });
  try {
    const result = await body();
    const message = describe?.(result);
    ctx.options.onEvent({ type: 'step_finish', sandbox: ctx.change.sandbox, step: name, ok: true, duration_ms: Date.now() - started, ...(message === undefined ? {} : { message }) });
    return result;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    ctx.options.onEvent({ type: 'step_finish', sandbox: ctx.change.sandbox, step: name, ok: false, duration_ms: Date.now() - started, message });
    throw error instanceof StepInterrupted ? error : new StepFailure(name, error);
  }
}

function caps(ctx: Context): BackendCapabilities {
  return ctx.options.capabilities ?? MSB_CAPABILITIES;
}

async function verifySandbox(ctx: Context, sandbox: DesiredSandbox, instance?: string, name = 'verify'): Promise<void> {
  if (ctx.options.verify === false) return;
  try {
    await step(ctx, name, async () => {
      const report = await ctx.runtime.verify(
        sandbox,
        (s) => ctx.options.onEvent({ type: 'step_finish', sandbox: sandbox.name, step: `verify:${s.step}`, ok: s.ok, duration_ms: s.durationMs, message: s.message }),
        ctx.options.signal,
        instance,
        // What a verification step waits for (the server's /health, OpenCode's first session), as it waits.
        (note) => ctx.options.onEvent({ type: 'step_start', sandbox: sandbox.name, step: `verify:${note.step}`, message: `waiting for ${note.what} (${note.waitedSecs} s of ${note.timeoutSecs} s)` }),
      );
      if (!report.ok && ctx.options.signal.aborted) throw new StepInterrupted('verify', true);
      if (!report.ok) {
        const failed = report.failed;
        const where = failed ? `step ${failed.step} (${failed.url}${failed.status !== undefined ? `, HTTP ${failed.status}` : ''})` : 'verification';
        const code = failed?.code === PUBLIC_TOKEN ? PUBLIC_TOKEN : 'verify.failed';
        throw new OwctlError(code, `verification failed at ${where}: ${failed?.message ?? 'no detail'}`, { hint: failed?.hint });
      }
    });
  } catch (error) {
    // A server that accepts the public default tokens is open to anyone: it is not left serving.
    if (error instanceof StepFailure && isOwctlError(error.error) && error.error.code === PUBLIC_TOKEN) {
      const stopped = await step(ctx, 'stop', () => ctx.runtime.stop(sandbox.name, instance)).then(
        () => 'the sandbox was stopped',
        () => `stopping the sandbox failed too: stop it now (\`owctl status ${sandbox.name}\` shows it)`,
      );
      const { message, hint } = error.error;
      throw new StepFailure(error.step, new OwctlError(PUBLIC_TOKEN, `${message}; ${stopped}`, { hint }));
    }
    throw error;
  }
}

/**
 * A server owctl launched dies by SIGKILL when its VM stops (msb signals only open exec sessions), so a running one is
 * asked to stop first. Engines that run the server themselves stop it themselves.
 */
async function stopServerIfUp(ctx: Context, name: string): Promise<void> {
  if (!caps(ctx).launchesServer) return;
  if (ctx.change.status !== 'Running' && ctx.change.status !== 'Starting') return;
  await step(ctx, 'stop-server', () => ctx.runtime.stopServer(name), (line) => line);
}

/**
 * Boot path shared by create and replace. Everything that can fail before the new sandbox exists comes first —
 * image present, bind folders prepared, host ports free — so a replacement that cannot succeed never costs the
 * old sandbox (the file itself was validated before the plan).
 */
async function createSandbox(ctx: Context, sandbox: DesiredSandbox, removeFirst: boolean): Promise<string | undefined> {
  const image = caps(ctx).localImages ? await ensureImage(ctx.runtime, sandbox, (name, body) => step(ctx, name, body)) : null;
  // The server's command is settled before anything is removed too: launch-server would refuse it after.
  const argv = caps(ctx).launchesServer ? settled('launch-server', () => launchArgv(sandbox, image)) : [];
  await step(ctx, 'prepare-mounts', () => ctx.runtime.prepareMounts(sandbox));
  if (ctx.runtime.checkPorts) await step(ctx, 'check-ports', () => ctx.runtime.checkPorts!(sandbox));
  if (removeFirst) {
    await stopServerIfUp(ctx, sandbox.name);
    await step(ctx, 'remove', () => ctx.runtime.remove(sandbox.name));
  }
  const instance = await step(ctx, 'create', () => ctx.runtime.create(sandbox, ownedLabels(ctx.project, sandbox)));
  if (caps(ctx).launchesServer) await step(ctx, 'launch-server', () => ctx.runtime.launchServer(sandbox.name, argv));
  return instance ?? undefined;
}

/** `body`'s result, or its error as the failure of step `name` (a check made ahead of that step). */
function settled<T>(name: string, body: () => T): T {
  try {
    return body();
  } catch (error) {
    throw new StepFailure(name, error);
  }
}

/**
 * Zero-downtime replacement: the new sandbox is created, verified and confirmed while the old ones still serve; only
 * then are they deleted. A new sandbox that fails either is deleted again, leaving the old ones as they were.
 */
async function createThenRemove(ctx: Context, sandbox: DesiredSandbox, old: readonly string[]): Promise<string | undefined> {
  const created = await createSandbox(ctx, sandbox, false);
  try {
    await verifySandbox(ctx, sandbox, created);
    // Verification may have reached an old sandbox at the same address: the engine proves the new one served.
    if (ctx.runtime.confirmReplacement !== undefined && created !== undefined) {
      await step(ctx, 'confirm-new', () => ctx.runtime.confirmReplacement!(sandbox.name, created, old));
    }
  } catch (error) {
    if (created !== undefined) await step(ctx, 'remove-new', () => ctx.runtime.remove(sandbox.name, created)).catch(() => undefined);
    throw error;
  }
  for (const instance of old) await step(ctx, 'remove-old', () => ctx.runtime.remove(sandbox.name, instance));
  return created;
}

/**
 * Several live sandboxes carry one name: keep the first (in plan order) that verifies, delete the others. When none
 * verifies, a new one replaces them all, already verified (`replaced`).
 */
async function heal(ctx: Context, sandbox: DesiredSandbox, instances: readonly string[]): Promise<{ instance: string | undefined; replaced: boolean }> {
  for (const instance of instances) {
    const ok = await verifySandbox(ctx, sandbox, instance, 'verify-existing').then(
      () => true,
      () => false,
    );
    if (!ok) continue;
    for (const other of instances.filter((i) => i !== instance)) await step(ctx, 'remove-duplicate', () => ctx.runtime.remove(sandbox.name, other));
    return { instance, replaced: false };
  }
  return { instance: await createThenRemove(ctx, sandbox, instances), replaced: true };
}

async function startSandbox(ctx: Context, sandbox: DesiredSandbox, bootFirst: boolean, instance?: string): Promise<void> {
  if (!caps(ctx).launchesServer) {
    if (bootFirst) await step(ctx, 'start', () => ctx.runtime.start(sandbox.name, instance));
    return;
  }
  const image = await step(ctx, 'check-image', () => ctx.runtime.inspectImage(sandbox.image.ref));
  if (bootFirst) await step(ctx, 'start', () => ctx.runtime.start(sandbox.name, instance));
  await step(ctx, 'launch-server', () => ctx.runtime.launchServer(sandbox.name, launchArgv(sandbox, image)));
}

async function carryOut(ctx: Context, sandbox: DesiredSandbox | undefined): Promise<void> {
  const { change, runtime } = ctx;
  const instances = change.instances ?? [];
  if (change.action === 'delete') {
    await stopServerIfUp(ctx, change.sandbox);
    if (instances.length === 0) await step(ctx, 'remove', () => runtime.remove(change.sandbox));
    for (const instance of instances) await step(ctx, 'remove', () => runtime.remove(change.sandbox, instance));
    return;
  }
  if (sandbox === undefined) throw new StepFailure('plan', new Error(`"${change.sandbox}" is not declared in the file`));
  let instance = instances[0];
  switch (change.action) {
    case 'create':
      instance = await createSandbox(ctx, sandbox, false);
      break;
    case 'replace':
      if (change.create_first === true) {
        const created = await createThenRemove(ctx, sandbox, instances); // verified before the old ones went
        await accessOf(ctx, sandbox, created);
        return;
      }
      instance = await createSandbox(ctx, sandbox, true); // engines keyed by id: verify the new one
      break;
    case 'update': {
      if (change.heal === true) {
        const healed = await heal(ctx, sandbox, instances);
        if (healed.replaced) {
          await accessOf(ctx, sandbox, healed.instance); // a new sandbox replaced them all, verified
          return;
        }
        instance = healed.instance;
      }
      // Access lands through the server after verification, never through the engine.
      if (change.fields.some((f) => !f.path.startsWith('access.'))) {
        const patch = modifyPatch(ctx.project, change, sandbox);
        if (change.restart) await stopServerIfUp(ctx, sandbox.name);
        await step(ctx, 'modify', () => runtime.modify(sandbox.name, patch, { restart: change.restart }, instance));
      }
      // A restarted VM boots idle (msb does not persist the launch command); a stopped one must be booted.
      if (change.start) await startSandbox(ctx, sandbox, !change.restart, instance);
      break;
    }
    case 'start':
      await startSandbox(ctx, sandbox, change.status !== 'Running' && change.status !== 'Starting', instance);
      break;
    case 'noop':
      return;
  }
  await verifySandbox(ctx, sandbox, instance);
  await accessOf(ctx, sandbox, instance);
}

async function accessOf(ctx: Context, sandbox: DesiredSandbox, instance: string | undefined): Promise<void> {
  await applyAccess((name, body, describe) => step(ctx, name, body, describe), ctx.runtime, sandbox, ctx.change.access ?? [], instance);
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
        if (error instanceof StepInterrupted) {
          const reason = error.message;
          options.onEvent({ type: 'change_interrupted', sandbox: change.sandbox, action: change.action, duration_ms: durationMs, step: error.step, reason });
          outcomes.push({ sandbox: change.sandbox, action: change.action, outcome: 'interrupted', durationMs, step: error.step, reason });
          return;
        }
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
