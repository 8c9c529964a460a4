/** `owctl destroy`: remove every sandbox this project owns (by label), and nothing else; `--purge` its folders too. */
import { resolve } from 'node:path';
import { acquireLock, effectiveMsbHome } from '../apply/lock.ts';
import type { ApplyResult } from '../apply/events.ts';
import { purgeFolders } from '../apply/purge.ts';
import { EXIT, OwctlError } from '../errors.ts';
import { destroyPlan } from '../plan/destroy.ts';
import { targetPlan, unknownTargets } from '../plan/target.ts';
import { EventStream } from '../views/event-stream.ts';
import { renderPlanHuman } from '../views/plan-human.ts';
import { planDocument } from '../views/plan-json.ts';
import { style } from '../views/style.ts';
import { refuseProtected } from './apply.ts';
import { runChanges } from './run-changes.ts';
import { confirm } from './confirm.ts';
import type { CommandIO } from './io.ts';
import { relativeFile } from './paths.ts';
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
  const stream = options.json ? new EventStream(io.stdout) : undefined;
  let release: (() => Promise<void>) | undefined;
  try {
    const snapshot = await takeSnapshot({ ...options, file: resolve(io.cwd, options.file), command: 'destroy' }, io, async (desired) => {
      const lock = await acquireLock({ project: desired.project, msbHome: effectiveMsbHome(io.env), command: 'destroy', timeoutMs: options.lockTimeoutMs });
      release = lock.release;
    });
    const full = destroyPlan(snapshot.desired, snapshot.observed, { includeProtected: options.includeProtected });
    const unknown = unknownTargets(full, options.target);
    if (unknown.length > 0) {
      throw new OwctlError('usage', `--target ${unknown.join(', ')}: project "${full.project}" owns no such sandbox`, { hint: 'run `owctl status` to list them' });
    }
    const planned = targetPlan(full, options.target);
    const s = style(io.color);
    if (stream) stream.planned(planned);
    else io.stdout(renderPlanHuman(planDocument(planned, relativeFile(snapshot.desired.file, io.cwd)), s));
    if (planned.changes.length === 0) {
      stream?.summary(null, EXIT.ok);
      return EXIT.ok;
    }
    refuseProtected(planned, 'destroy');
    if (!(await confirm('Do you really want to destroy these sandboxes?', { autoApprove: options.autoApprove, savedPlan: false }, io, 'destroy'))) {
      io.stdout('\nDestroy cancelled.\n');
      return EXIT.error;
    }
    const purge = async (result: ApplyResult) => {
      if (!options.purge) return;
      const destroyed = new Set(result.outcomes.filter((o) => o.outcome === 'succeeded').map((o) => o.sandbox));
      const folders = snapshot.observed.sandboxes
        .filter((sandbox) => destroyed.has(sandbox.name))
        .flatMap((sandbox) => sandbox.mounts.flatMap((m) => (m.type === 'bind' ? [m.source] : [])));
      for (const outcome of await purgeFolders(folders, snapshot.desired.dir)) {
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
