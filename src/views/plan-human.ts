/**
 * The human plan, in the shape Terraform users read fluently: a drift section first, then one block per changed
 * sandbox with a reason line, `~ field = before -> after`, folded unchanged attributes, and a summary line.
 */
import type { Action, Change, FieldChange } from '../model/plan.ts';
import type { PlanDocument } from './plan-json.ts';
import { groupProblems, groupSubject } from './preflight-groups.ts';
import type { Style } from './style.ts';

const SYMBOL: Record<Action, string> = { create: '+', update: '~', replace: '-/+', delete: '-', start: '>', noop: ' ' };

function value(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return v === '(sensitive value)' ? v : JSON.stringify(v);
  return JSON.stringify(v);
}

function colorFor(action: Action, s: Style): (text: string) => string {
  if (action === 'create') return s.green;
  if (action === 'delete') return s.red;
  if (action === 'replace') return s.red;
  if (action === 'start') return s.cyan;
  return s.yellow;
}

function fieldLine(field: FieldChange, action: Action, width: number, s: Style): string {
  const path = field.path.padEnd(width);
  const forces = (action === 'replace' && field.disposition === 'replace' ? s.red(' # forces replacement') : '') + (field.reason ? s.dim(` # ${field.disposition}: ${field.reason}`) : '');
  if (field.before === null) return `      ${s.green('+')} ${path} = ${value(field.after)}${forces}`;
  if (field.after === null) return `      ${s.red('-')} ${path} = ${value(field.before)}${forces}`;
  return `      ${s.yellow('~')} ${path} = ${value(field.before)} -> ${value(field.after)}${forces}`;
}

function block(change: Change, fields: FieldChange[], s: Style): string[] {
  const paint = colorFor(change.action, s);
  const lines = [`  ${s.bold(`# ${change.sandbox}`)} ${change.reason}`];
  if (change.blocked) lines.push(`  ${s.red('# protected (protect: true): apply will refuse this change')}`);
  lines.push(`${paint(SYMBOL[change.action].padStart(3))} sandbox "${change.sandbox}" {`);
  const width = Math.max(0, ...fields.map((f) => f.path.length));
  for (const field of fields) lines.push(fieldLine(field, change.action, width, s));
  if (change.unchanged > 0 && change.action !== 'create') {
    lines.push(s.dim(`        # (${change.unchanged} unchanged attribute${change.unchanged === 1 ? '' : 's'} hidden)`));
  }
  lines.push('    }', '');
  return lines;
}

function driftSection(changes: Change[], s: Style): string[] {
  const drifted = changes.filter((c) => c.fields.some((f) => f.origin === 'outside'));
  if (drifted.length === 0) return [];
  const lines = [s.bold('Sandboxes have changed outside of owctl'), '', 'owctl detected these changes made outside of owctl since the last apply:', ''];
  for (const change of drifted) {
    const fields = change.fields.filter((f) => f.origin === 'outside');
    const width = Math.max(...fields.map((f) => f.path.length));
    lines.push(`  ${s.bold(`# ${change.sandbox}`)} has changed`, `  ~ sandbox "${change.sandbox}" {`);
    for (const field of fields) {
      lines.push(`      ~ ${field.path.padEnd(width)} = ${value(field.after)} -> ${value(field.before)}`);
    }
    lines.push('    }', '');
  }
  lines.push('The plan below puts them back to what the file declares.', '');
  return lines;
}

export function summaryLine(summary: Record<Action, number>): string {
  return (
    `Plan: ${summary.create} to add, ${summary.update} to change, ${summary.replace} to replace, ` +
    `${summary.delete} to destroy, ${summary.start} to start.`
  );
}

/** Sandboxes msb's own policy stopped: in sync, but a reader should know they are not serving. */
function asleepLines(document: PlanDocument, s: Style): string[] {
  const asleep = document.changes.filter((c) => c.asleep !== undefined);
  if (asleep.length === 0) return [];
  const lines = asleep.map((c) => `  ${s.bold(`# ${c.sandbox}`)} is asleep: msb stopped it at its ${c.asleep} (no server until it is started)`);
  return ['', ...lines, s.dim('`owctl apply --wake` starts them and relaunches their servers.')];
}

export function renderPlanHuman(document: PlanDocument, s: Style): string {
  const changed = document.changes.filter((c) => c.action !== 'noop');
  if (!document.has_changes) {
    const head = `${s.green(s.bold('No changes.'))} Live sandboxes match ${document.file} (project "${document.project}").`;
    return `${[head, ...asleepLines(document, s)].join('\n')}\n`;
  }
  const lines = [...driftSection(changed, s)];
  lines.push('owctl will perform the following actions:', '');
  for (const change of changed) lines.push(...block(change, change.fields, s));
  if (changed.some((c) => c.action === 'replace' && c.create_first !== true)) {
    lines.push(s.dim('Replacement is destroy-then-create: sandbox names and host ports are fixed, so the old one goes first.'), '');
  }
  if (changed.some((c) => c.action === 'replace' && c.create_first === true)) {
    lines.push(s.dim('Replacement is create-then-destroy: the old sandbox serves until the new one verifies; the connect address changes.'), '');
  }
  const blocked = changed.filter((c) => c.blocked).map((c) => c.sandbox);
  if (blocked.length > 0) lines.push(s.red(`Protected sandboxes would be deleted or replaced: ${blocked.join(', ')}. apply will refuse.`), '');
  // The summary closes the plan, where a reader's eye lands, after what would make apply fail.
  lines.push(...preflightSection(document, s), s.bold(summaryLine(document.summary)), ...asleepLines(document, s));
  return `${lines.join('\n')}\n`;
}

function preflightSection(document: PlanDocument, s: Style): string[] {
  const problems = document.preflight ?? [];
  if (problems.length === 0) return [];
  const errors = problems.filter((p) => p.severity === 'error').length;
  const lines = [s.bold(errors > 0 ? `Preflight: apply would fail (${errors} ${errors === 1 ? 'error' : 'errors'}) and will refuse before changing anything` : 'Preflight:')];
  for (const group of groupProblems(problems)) {
    const label = group.severity === 'error' ? s.red('error:') : s.yellow('warning:');
    const subject = groupSubject(group);
    lines.push(`  ${label} ${subject ? `${subject}: ` : ''}${group.message}`, `    hint: ${group.hint}`);
  }
  return [...lines, ''];
}
