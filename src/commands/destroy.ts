/** `owctl destroy`: remove every sandbox this project owns (by label), and nothing else; `--purge` its folders too. */
import { resolve } from 'node:path';
import type { ApplyResult } from '../apply/events.ts';
import { FolderRecord } from '../apply/created-folders.ts';
import { carryOutPurge } from '../apply/purge.ts';
import { EXIT, OwctlError } from '../errors.ts';
import { destroyPlan } from '../plan/destroy.ts';
import { targetPlan, unknownTargets } from '../plan/target.ts';
import { EventStream } from '../views/event-stream.ts';
import { renderPlanHuman } from '../views/plan-human.ts';
import { planDocument } from '../views/plan-json.ts';
import { style } from '../views/style.ts';
import { refuseProtected } from './apply.ts';
import { runChanges } from './run-changes.ts';
import { cancelledExitCode, confirm } from './confirm.ts';
import { interruptsOf, type CommandIO } from './io.ts';
import { lockProject } from './project-lock.ts';
import { relativeFile } from './paths.ts';
import { otherSandboxes, purgeAfter, purgeFor } from './purge-scope.ts';
import { purgeQuestion, renderPurgePlan } from '../views/purge-plan.ts';
import { takeSnapshot, type SnapshotOptions } from './snapshot.ts';

export interface DestroyOptions extends SnapshotOptions {
  json: boolean;
  autoApprove: boolean;
  target?: string[];
  purge: boolean;
  includeProtected: boolean;
  lockTimeoutMs: number;
  applyParallelism: number;
}

export async function destroyCommand(options: DestroyOptions, io: CommandIO): Promise<number> {
  // Every phase below answers SIGINT/SIGTERM/SIGHUP itself: see interrupt.ts.
  interruptsOf(io).claim();
  if (!options.json) return destroy(options, io);
  const stream = new EventStream(io.stdout);
  return stream.closeOnError(() => destroy(options, io, stream));
}

async function destroy(options: DestroyOptions, io: CommandIO, stream?: EventStream): Promise<number> {
  let release: (() => Promise<void>) | undefined;
  try {
    const snapshot = await takeSnapshot({ ...options, file: resolve(io.cwd, options.file), command: 'destroy', optionalSecrets: true }, io, async (desired) => {
      release = await lockProject(desired, io, 'destroy', options.lockTimeoutMs);
    });
    const full = destroyPlan(snapshot.desired, snapshot.observed, { includeProtected: options.includeProtected });
    const unknown = unknownTargets(full, options.target);
    if (unknown.length > 0) {
      throw new OwctlError('usage', `--target ${unknown.join(', ')}: project "${full.project}" owns no such sandbox`, { hint: 'run `owctl status` to list them' });
    }
    const planned = targetPlan(full, options.target);
    interruptsOf(io).check('planning');
    const s = style(io.color);
    if (stream) stream.planned(planned);
    else io.stdout(renderPlanHuman(planDocument(planned, relativeFile(snapshot.desired.file, io.cwd)), s));
    if (planned.changes.length === 0) {
      stream?.summary(null, EXIT.ok);
      return EXIT.ok;
    }
    refuseProtected(planned, 'destroy');
    // Decided before anything is destroyed, so the plan and the prompt name every entry it deletes.
    const everyone = options.purge ? [...snapshot.observed.sandboxes, ...(await otherSandboxes(snapshot.desired, options.msb, snapshot.observed.sandboxes, options.parallelism ?? 8, io))] : [];
    const going = new Set(planned.changes.map((c) => c.sandbox));
    const folders = FolderRecord.forProject(snapshot.desired.project, io.env);
    const context = { created: options.purge ? await folders.read() : [], declared: snapshot.desired.sandboxes };
    const purgePlan = options.purge ? await purgeFor(going, everyone, snapshot.desired.dir, context) : [];
    if (stream) for (const item of purgePlan) stream.emit({ type: 'planned_purge', path: item.path, delete: item.delete, kind: item.kind, reason: item.reason ?? null });
    else if (options.purge) io.stdout(`${renderPurgePlan(purgePlan, s)}\n`);
    const question = options.purge ? purgeQuestion(purgePlan) : 'Do you really want to destroy these sandboxes?';
    const answer = await confirm(question, { autoApprove: options.autoApprove, savedPlan: false, json: options.json }, io, 'destroy');
    if (answer !== 'approved') {
      io.stdout('\nDestroy cancelled.\n');
      return cancelledExitCode(answer);
    }
    const purge = async (result: ApplyResult) => {
      if (!options.purge) return;
      const destroyed = new Set(result.outcomes.filter((o) => o.outcome === 'succeeded').map((o) => o.sandbox));
      const now = await purgeAfter(destroyed, everyone, purgePlan, snapshot.desired.dir, context);
      const outcomes = await carryOutPurge(now, snapshot.desired.dir);
      await folders.forget(outcomes.filter((o) => o.removed).map((o) => o.path));
      for (const outcome of outcomes) {
        const line = outcome.removed ? `purged ${outcome.path}` : `kept ${outcome.path}: ${outcome.reason}`;
        if (stream) stream.emit({ type: 'purge', path: outcome.path, removed: outcome.removed, reason: outcome.reason ?? null });
        else io.stdout(`${line}\n`);
      }
    };
    const { code } = await runChanges(planned, snapshot, { parallelism: options.applyParallelism, verb: 'Destroy', stream, afterExecute: purge }, io);
    return code;
  } finally {
    await release?.();
  }
}
