/** `owctl plan`: load → observe → plan → render. A dry run is simply "plan and stop". */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { EXIT, OwctlError } from '../errors.ts';
import { hasChanges, type Plan } from '../model/plan.ts';
import { fileWarnings } from '../config/warnings.ts';
import { fingerprints } from '../plan/fingerprint.ts';
import { plan as makePlan } from '../plan/planner.ts';
import { savedPlan } from '../plan/saved-plan.ts';
import { targetPlan, unknownTargets } from '../plan/target.ts';
import { renderPlanHuman } from '../views/plan-human.ts';
import { planDocument, renderPlanJson } from '../views/plan-json.ts';
import { style } from '../views/style.ts';
import { isGitHubActions, type CommandIO } from './io.ts';
import { relativeFile } from './paths.ts';
import { runPreflight } from './preflight.ts';
import { checkRotate } from './rotate.ts';
import { takeSnapshot, type Snapshot, type SnapshotOptions } from './snapshot.ts';

/** human: Terraform-style text; json: the versioned plan document; markdown: for a pull-request comment. */
export type PlanFormat = 'human' | 'json' | 'markdown';

export interface PlanOptions extends SnapshotOptions {
  format: PlanFormat;
  detailedExitcode: boolean;
  out?: string;
  target?: string[];
  /** Declared sandboxes to replace even when up to date. */
  replace?: string[];
  /** Plan to start sandboxes msb's idle/max-duration policy stopped (otherwise they stay asleep, in sync). */
  wake?: boolean;
  /** `NAME` or `NAME/PERSON`: issue those tokens anew, verify, revoke the old. */
  rotate?: string[];
}

export function conflictError(plan: Plan): OwctlError {
  const sandboxes = plan.conflicts.map((c) => c.sandbox);
  // Only a sandbox without owctl labels can be adopted; one of another owctl project is never taken.
  const unlabelled = plan.conflicts.filter((c) => c.owner === null).map((c) => c.sandbox);
  const adopt = unlabelled.length > 0 ? `adopt ${unlabelled.join(', ')} with \`owctl import ${unlabelled.join(' ')}\` if it is the sandbox you declared, ` : '';
  return new OwctlError('plan.conflict', `${plan.conflicts.map((c) => c.message).join('\n')}`, {
    hint: `${adopt}rename ${sandboxes.join(', ')} in the file, or remove the existing sandbox yourself (\`msb rm --force ${sandboxes.join(' ')}\`) if it is yours to remove`,
    details: { conflicts: plan.conflicts },
  });
}

/** Make the (targeted) plan from a snapshot; fails on unknown targets and on conflicts. */
export function planFromSnapshot(snapshot: Snapshot, targets: string[] | undefined, replace: string[] = [], options: { wake?: boolean; rotate?: string[] } = {}): Plan {
  checkRotate(options.rotate ?? [], snapshot.desired, snapshot.observed);
  const undeclared = replace.filter((name) => !snapshot.desired.sandboxes.some((s) => s.name === name));
  if (undeclared.length > 0) {
    throw new OwctlError('usage', `--replace ${undeclared.join(', ')}: no such sandbox in the file`, { hint: 'name a sandbox declared in the file; `owctl status` lists them' });
  }
  const full = makePlan(snapshot.desired, snapshot.observed, { replace, wake: options.wake === true, rotate: options.rotate ?? [] });
  const unknown = unknownTargets(full, targets);
  if (unknown.length > 0) {
    throw new OwctlError('usage', `--target ${unknown.join(', ')}: no such sandbox in the file or in project "${full.project}"`, {
      hint: 'run `owctl plan` to list the sandboxes owctl knows',
    });
  }
  const planned = targetPlan(full, targets);
  if (planned.conflicts.length > 0) throw conflictError(planned);
  return planned;
}

export async function planCommand(options: PlanOptions, io: CommandIO): Promise<number> {
  const snapshot = await takeSnapshot(options, io);
  const planned = planFromSnapshot(snapshot, options.target, options.replace, { wake: options.wake, rotate: options.rotate });
  // On stderr, whatever the format: stdout stays the plan alone.
  const changing = new Set(planned.changes.filter((c) => c.action === 'create' || c.action === 'update' || c.action === 'replace').map((c) => c.sandbox));
  for (const warning of fileWarnings(snapshot.desired, changing)) io.stderr(`warning: ${warning}\n`);
  const problems = await runPreflight(snapshot, planned);
  const document = planDocument(planned, relativeFile(snapshot.desired.file, io.cwd), problems);
  if (options.out !== undefined) {
    const saved = savedPlan(snapshot.desired.file, planned, fingerprints(snapshot.desired, snapshot.observed, options.target ?? []), options.target ?? [], options.replace ?? [], options.wake === true, problems, options.rotate ?? []);
    await writeFile(resolve(io.cwd, options.out), `${JSON.stringify(saved, null, 2)}\n`, { mode: 0o600 });
  }
  // Markdown is rendered when asked for, and under GitHub Actions for the step summary: once either way.
  const actions = isGitHubActions(io.env);
  const markdown = options.format === 'markdown' || actions ? (await import('../views/plan-markdown.ts')).renderPlanMarkdown(document) : undefined;
  const text = { json: () => renderPlanJson(document), markdown: () => markdown!, human: () => renderPlanHuman(document, style(io.color)) };
  io.stdout(text[options.format]());
  if (options.format === 'human' && options.out !== undefined) io.stdout(`\nSaved the plan to ${options.out}. Apply exactly this plan with: owctl apply ${options.out}\n`);
  if (actions && markdown !== undefined) await (await import('../views/github.ts')).appendStepSummary(io.env, markdown);
  // apply would refuse this plan: a pipeline gated on plan must not go on to run it.
  const errors = problems.filter((p) => p.severity === 'error').length;
  if (errors > 0) {
    io.stderr(`error: the preflight found ${errors} ${errors === 1 ? 'error' : 'errors'}: apply would refuse this plan\nhint: fix what the Preflight section lists, then run \`owctl plan\` again\n`);
    return EXIT.error;
  }
  if (options.detailedExitcode && hasChanges(planned)) return EXIT.changes;
  return EXIT.ok;
}
