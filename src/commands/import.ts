/**
 * `owctl import NAME…`: adopt live sandboxes that hold declared names but carry no owctl labels. Shows what adoption
 * adds (the project label) and then the ordinary plan of differences, asks like apply, then labels them. Never
 * adopts a sandbox of another owctl project; changes nothing but labels (`owctl apply` converges the rest).
 */
import { EXIT, OwctlError } from '../errors.ts';
import { hasChanges } from '../model/plan.ts';
import { planAdoption, type AdoptionPlan } from '../plan/adopt.ts';
import { plan as makePlan } from '../plan/planner.ts';
import { targetPlan } from '../plan/target.ts';
import { renderPlanHuman } from '../views/plan-human.ts';
import { planDocument } from '../views/plan-json.ts';
import { style, type Style } from '../views/style.ts';
import { cancelledExitCode, confirm } from './confirm.ts';
import type { CommandIO } from './io.ts';
import { relativeFile } from './paths.ts';
import { lockProject } from './project-lock.ts';
import { takeSnapshot, type SnapshotOptions } from './snapshot.ts';

export interface ImportOptions extends SnapshotOptions {
  names: string[];
  autoApprove: boolean;
  lockTimeoutMs: number;
}

function refuse(adoption: AdoptionPlan, file: string): void {
  if (adoption.undeclared.length > 0) {
    throw new OwctlError('usage', `${adoption.undeclared.join(', ')}: not declared in ${file}; owctl adopts only sandboxes the file declares`, {
      hint: 'declare them under sandboxes: first (`owctl validate` checks the file), then run `owctl import` again',
    });
  }
  if (adoption.foreign.length > 0) {
    const list = adoption.foreign.map((f) => `${f.sandbox} (project "${f.owner}")`).join(', ');
    throw new OwctlError('plan.conflict', `refusing to import ${list}: it belongs to another owctl project; owctl never takes another project's sandbox`, {
      hint: 'rename the sandbox in this file, or destroy it from its own project (`owctl destroy --target NAME` there)',
      details: { conflicts: adoption.foreign },
    });
  }
  if (adoption.missing.length > 0) {
    throw new OwctlError('usage', `no live sandbox named ${adoption.missing.join(', ')} to import`, { hint: '`owctl apply` creates declared sandboxes that do not exist' });
  }
}

function renderAdoption(adoption: AdoptionPlan, project: string, s: Style): string {
  const lines = [`owctl will adopt ${adoption.adopt.length === 1 ? 'this sandbox' : 'these sandboxes'} into project "${project}" (labels only; nothing else changes now):`, ''];
  for (const { sandbox, labels } of adoption.adopt) {
    lines.push(`  ${s.yellow('~')} ${s.bold(sandbox)} will be adopted`);
    for (const [key, value] of Object.entries(labels)) lines.push(`      ${s.green('+')} labels.${key} = ${JSON.stringify(value)}`);
  }
  return `${lines.join('\n')}\n\n`;
}

export async function importCommand(options: ImportOptions, io: CommandIO): Promise<number> {
  let release: (() => Promise<void>) | undefined;
  try {
    const snapshot = await takeSnapshot({ ...options, command: 'import' }, io, async (desired) => {
      release = await lockProject(desired, io, 'import', options.lockTimeoutMs);
    });
    const { desired, observed, backend } = snapshot;
    const file = relativeFile(desired.file, io.cwd);
    const adoption = planAdoption(desired, observed, options.names);
    refuse(adoption, file);
    const s = style(io.color);
    if (adoption.managed.length > 0) io.stdout(`Already managed by project "${desired.project}": ${adoption.managed.join(', ')}.\n`);
    if (adoption.adopt.length === 0) return EXIT.ok;
    const names = adoption.adopt.map((a) => a.sandbox);
    const after = targetPlan(makePlan(desired, adoption.observedAfter), names);
    io.stdout(renderAdoption(adoption, desired.project, s));
    io.stdout(`${s.bold('Then, once adopted, `owctl apply` would do this:')}\n\n${renderPlanHuman(planDocument(after, file), s)}`);
    const answer = await confirm('Do you want to adopt these sandboxes?', { autoApprove: options.autoApprove, savedPlan: false }, io, 'import');
    if (answer !== 'approved') {
      io.stdout('\nImport cancelled.\n');
      return cancelledExitCode(answer);
    }
    for (const { sandbox, labels } of adoption.adopt) {
      // Labels only. On msb a running VM takes them for its next start, and msb records (and lists by) them at once.
      await backend.modify(sandbox, { env: {}, envRemove: [], labels, labelRemove: [] }, { restart: false });
    }
    io.stdout(`\n${s.green(s.bold(`Imported ${names.join(', ')} into project "${desired.project}".`))}${hasChanges(after) ? ' Run `owctl apply` to make them match the file.' : ''}\n`);
    return EXIT.ok;
  } finally {
    await release?.();
  }
}
