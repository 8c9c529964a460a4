/** `owctl apply [PLANFILE]`: load → lock → observe → plan → confirm → execute → verify → summary. */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { ApplyResult } from '../apply/events.ts';
import { EXIT, OwctlError } from '../errors.ts';
import { hasChanges, type Plan } from '../model/plan.ts';
import { canonicalJson } from '../model/applied.ts';
import { fingerprints, movedSandboxes } from '../plan/fingerprint.ts';
import { fingerprintScope, remakeCommand, savedPlanProblem, type SavedPlan } from '../plan/saved-plan.ts';
import { EventStream } from '../views/event-stream.ts';
import { renderPlanHuman } from '../views/plan-human.ts';
import { planDocument } from '../views/plan-json.ts';
import { style } from '../views/style.ts';
import { cancelledExitCode, confirm } from './confirm.ts';
import { interruptsOf, type CommandIO } from './io.ts';
import { appliedOutputList, appliedOutputs } from './output.ts';
import { lockProject } from './project-lock.ts';
import { relativeFile } from './paths.ts';
import { planFromSnapshot } from './plan.ts';
import { refusePreflight, runPreflight } from './preflight.ts';
import { runChanges } from './run-changes.ts';
import { takeSnapshot, type Snapshot, type SnapshotOptions } from './snapshot.ts';

export const DEFAULT_LOCK_TIMEOUT_MS = 0;

export interface ApplyOptions extends SnapshotOptions {
  json: boolean;
  autoApprove: boolean;
  target?: string[];
  planFile?: string;
  /** Declared sandboxes to replace even when up to date; a saved plan carries its own. */
  replace?: string[];
  lockTimeoutMs: number;
  applyParallelism: number;
  /** Also start sandboxes msb's idle/max-duration policy stopped, and relaunch their servers. */
  wake?: boolean;
  /** `NAME` or `NAME/PERSON`: issue those tokens anew, verify, revoke the old; a saved plan carries its own. */
  rotate?: string[];
}

export async function readSavedPlan(path: string): Promise<SavedPlan> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new OwctlError('plan.invalid_file', `cannot read saved plan ${path}: ${(error as Error).message}`, {
      hint: 'make one with `owctl plan -o plan.json`',
      cause: error,
    });
  }
  const problem = savedPlanProblem(parsed);
  if (problem !== null) throw new OwctlError('plan.invalid_file', `${path} is not an owctl saved plan: ${problem}`, { hint: 'make one with `owctl plan -o plan.json`' });
  return parsed as SavedPlan;
}

/**
 * Refuses a saved plan when what it touches — in the file or live — moved since it was made, or when planning now
 * gives another plan (the fingerprints leave secrets out, so a changed secret shows only there).
 */
export function checkStale(saved: SavedPlan, snapshot: Snapshot, path: string, planned: Plan): void {
  const now = fingerprints(snapshot.desired, snapshot.observed, fingerprintScope(saved));
  const reasons: string[] = [];
  if (now.desired !== saved.fingerprints.desired) reasons.push(`${relativeFile(snapshot.desired.file, process.cwd())} (or a variable it reads) changed`);
  const moved = movedSandboxes(saved.fingerprints, now);
  if (moved.length > 0) reasons.push(`live sandboxes changed: ${moved.join(', ')}`);
  if (reasons.length === 0 && canonicalJson(planned) !== canonicalJson(saved.plan)) reasons.push('planning now gives a different plan (a secret or variable it reads changed)');
  if (reasons.length > 0) {
    throw new OwctlError('plan.stale', `saved plan ${path} is stale: ${reasons.join('; ')}`, {
      hint: `make a new plan with \`${remakeCommand(saved.targets, path)}\` and review it`,
      details: { moved },
    });
  }
}

export function refuseProtected(plan: Plan, verb: string): void {
  const blocked = plan.changes.filter((c) => c.blocked);
  if (blocked.length === 0) return;
  const list = blocked.map((c) => `${c.sandbox} (${c.action})`).join(', ');
  throw new OwctlError('plan.protected', `refusing to ${verb}: protected sandboxes would be deleted or replaced: ${list}`, {
    hint: 'set protect: false for them first, or leave them out with --target NAME…',
    details: { sandboxes: blocked.map((c) => c.sandbox) },
  });
}

/** A saved plan is applied exactly as made: flags that would plan differently are refused (as Terraform does). */
function refusePlanningFlags(options: ApplyOptions): void {
  if (options.planFile === undefined || options.target === undefined || options.target.length === 0) return;
  throw new OwctlError('usage', '--target cannot be used with a saved plan: it applies exactly the sandboxes it was made for', {
    hint: `make a targeted plan with \`${remakeCommand(options.target, options.planFile)}\`, or apply without the saved plan`,
  });
}

export async function applyCommand(options: ApplyOptions, io: CommandIO): Promise<number> {
  // Every phase below answers SIGINT/SIGTERM/SIGHUP itself: see interrupt.ts.
  interruptsOf(io).claim();
  if (!options.json) return apply(options, io);
  const stream = new EventStream(io.stdout);
  return stream.closeOnError(() => apply(options, io, stream));
}

async function apply(options: ApplyOptions, io: CommandIO, stream?: EventStream): Promise<number> {
  refusePlanningFlags(options);
  const interrupts = interruptsOf(io);
  const saved = options.planFile === undefined ? undefined : await readSavedPlan(resolve(io.cwd, options.planFile));
  interrupts.check('reading the saved plan');
  const file = saved?.file ?? resolve(io.cwd, options.file);
  const targets = saved?.targets ?? options.target;
  if (saved !== undefined && (options.replace ?? []).length > 0) {
    throw new OwctlError('usage', '--replace cannot be combined with a saved plan: the plan already says what is replaced', { hint: `make the plan with it: \`owctl plan --replace NAME -o ${options.planFile}\`` });
  }
  const replace = saved?.replace ?? options.replace;
  if (saved !== undefined && (options.rotate ?? []).length > 0) {
    throw new OwctlError('usage', '--rotate cannot be combined with a saved plan: the plan already says which tokens change', { hint: `make the plan with it: \`owctl plan --rotate NAME -o ${options.planFile}\`` });
  }
  const rotate = saved?.rotate ?? options.rotate;
  let release: (() => Promise<void>) | undefined;
  try {
    const snapshot = await takeSnapshot({ ...options, file, command: 'apply' }, io, async (desired) => {
      release = await lockProject(desired, io, 'apply', options.lockTimeoutMs);
    });
    const planned = planFromSnapshot(snapshot, targets, replace, { wake: saved?.wake ?? options.wake, rotate });
    interrupts.check('planning');
    if (saved !== undefined) checkStale(saved, snapshot, options.planFile!, planned);
    const s = style(io.color);
    const problems = await interrupts.during('checking the plan before applying it', runPreflight(snapshot, planned));
    if (stream) stream.planned(planned);
    else io.stdout(renderPlanHuman(planDocument(planned, relativeFile(snapshot.desired.file, io.cwd), problems), s));
    if (!hasChanges(planned)) {
      stream?.summary(null, EXIT.ok);
      return EXIT.ok;
    }
    refuseProtected(planned, 'apply');
    refusePreflight(problems);
    const answer = await confirm('Do you want to perform these actions?', { autoApprove: options.autoApprove, savedPlan: saved !== undefined, json: options.json }, io, 'apply');
    if (answer !== 'approved') {
      io.stdout('\nApply cancelled.\n');
      return cancelledExitCode(answer);
    }
    // In the event stream the outputs are an event of their own, just before the summary.
    const outputsEvent = async (done: ApplyResult) => {
      const outputs = await appliedOutputList(done, snapshot.desired, snapshot.backend);
      if (outputs.length > 0) stream?.emit({ type: 'outputs', outputs });
    };
    const { result, code } = await runChanges(planned, snapshot, { parallelism: options.applyParallelism, verb: 'Apply', stream, ...(stream ? { afterExecute: outputsEvent } : {}) }, io);
    if (stream === undefined) io.stdout(await appliedOutputs(result, snapshot.desired, snapshot.backend, io));
    return code;
  } finally {
    await release?.();
  }
}
