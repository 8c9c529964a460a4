/**
 * The plan as Markdown for a pull-request comment or a GitHub step summary (`owctl plan --format markdown`), the
 * way Atlantis posts Terraform plans: what needs attention first (preflight problems, destroys, replacements,
 * protected sandboxes, drift, conflicts, sandboxes asleep), a count per action, then one collapsed section per changed sandbox with a ```diff block.
 * Rendered from the plan document like every other view, so it can never disagree with `--json`.
 * Invariant: the output holds no secret value. The document has none; sensitive fields are rendered as
 * `(sensitive value)` here regardless of what they carry, as a second line of defence.
 */
import { groupProblems, groupSubject } from './preflight-groups.ts';
import { SENSITIVE, type Action, type Change, type FieldChange } from '../model/plan.ts';
import { nameList } from '../name-list.ts';
import type { PlanDocument } from './plan-json.ts';
import { summaryLine } from './plan-human.ts';

/** GitHub rejects comments over 65 536 characters; this leaves room for a marker and a footer. */
export const DEFAULT_MARKDOWN_MAX_BYTES = 60_000;

/** Lists at the top name at most this many sandboxes (or paths), then say how many more. */
const MAX_NAMED = 20;
const MAX_PATHS = 10;

const SYMBOL: Record<Action, string> = { create: '+', update: '~', replace: '-/+', delete: '-', start: '>', noop: ' ' };
const LABEL: Record<Action, string> = { create: 'create', update: 'update in place', replace: 'replace', delete: 'destroy', start: 'start', noop: 'unchanged' };

export interface PlanMarkdownOptions {
  /**
   * Upper bound on the output's UTF-8 size (default 60 000): past it whole sandbox sections are left out, last
   * first, and a note says how many. The heading, callouts and counts are always kept (their lists are capped).
   */
  maxBytes?: number;
}

/** An inline code span that survives backticks in `text` (CommonMark: a longer fence, padded when needed). */
export function inlineCode(text: string): string {
  const flat = text.replace(/[\r\n]+/g, ' ');
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/** Text placed outside code: no raw HTML gets through, and it stays on one line. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/[\r\n]+/g, ' ');
}

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');
const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

function named(names: string[], max = MAX_NAMED): string {
  return nameList(names, max, inlineCode);
}

function display(v: unknown, sensitive: boolean): string {
  if (v === null || v === undefined) return 'null';
  if (sensitive || v === SENSITIVE) return SENSITIVE;
  return JSON.stringify(v);
}

/** Control characters (a newline in an env key) shown escaped, so one field stays one diff line. */
function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]/g, (c) => JSON.stringify(c).slice(1, -1));
}

function diffLine(field: FieldChange, action: Action, width: number): string {
  const path = oneLine(field.path).padEnd(width);
  const before = display(field.before, field.sensitive);
  const after = display(field.after, field.sensitive);
  const notes = [
    ...(action === 'replace' && field.disposition === 'replace' ? ['forces replacement'] : []),
    ...(field.origin === 'outside' ? ['changed outside owctl'] : []),
    ...(field.reason ? [`${field.disposition}: ${field.reason}`] : []),
  ];
  const comment = notes.length > 0 ? ` # ${notes.join('; ')}` : '';
  if (field.before === null) return `+ ${path} = ${after}${comment}`;
  if (field.after === null) return `- ${path} = ${before}${comment}`;
  return `~ ${path} = ${before} -> ${after}${comment}`;
}

/** A fence longer than any backtick run in the block, so values cannot close it early. */
function fenced(language: string, lines: string[]): string[] {
  const longest = Math.max(0, ...lines.flatMap((line) => (line.match(/`+/g) ?? []).map((run) => run.length)));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return [`${fence}${language}`, ...lines, fence];
}

function section(change: Change): string {
  const symbol = escapeHtml(SYMBOL[change.action]);
  const protectedNote = change.blocked ? ' ⚠️ protected: apply will refuse' : '';
  const lines = [`<details><summary><code>${symbol}</code> <strong>${escapeHtml(change.sandbox)}</strong> ${escapeHtml(change.reason)}${protectedNote}</summary>`, ''];
  if (change.fields.length === 0) {
    lines.push('No attribute changes.');
  } else {
    const width = Math.max(...change.fields.map((f) => oneLine(f.path).length));
    const body = change.fields.map((field) => diffLine(field, change.action, width));
    if (change.unchanged > 0 && change.action !== 'create') body.push(`  # (${plural(change.unchanged, 'unchanged attribute', 'unchanged attributes')} hidden)`);
    lines.push(...fenced('diff', body));
  }
  lines.push('', '</details>', '');
  return `${lines.join('\n')}\n`;
}

function attention(changed: Change[]): string[] {
  const names = (action: Action) => changed.filter((c) => c.action === action).map((c) => c.sandbox);
  const replaced = names('replace');
  const deleted = names('delete');
  const blocked = changed.filter((c) => c.blocked).map((c) => c.sandbox);
  const lines: string[] = [];
  const destructive = [
    ...(replaced.length > 0 ? [`${named(replaced)} will be replaced (destroy, then create: the old sandbox goes first)`] : []),
    ...(deleted.length > 0 ? [`${named(deleted)} will be destroyed`] : []),
  ];
  if (destructive.length > 0) lines.push(`⚠️ **Destructive changes:** ${destructive.join('; ')}.`);
  if (blocked.length > 0) lines.push(`⚠️ **Protected:** ${named(blocked)} ${blocked.length === 1 ? 'is' : 'are'} marked \`protect: true\`; \`owctl apply\` will refuse this plan.`);
  return lines.length > 0 ? [lines.join('  \n'), ''] : [];
}

function driftCallout(changed: Change[]): string[] {
  const drifted = changed.filter((c) => c.fields.some((f) => f.origin === 'outside'));
  if (drifted.length === 0) return [];
  const lines = ['**Changed outside of owctl** (drift since the last apply; this plan puts it back to what the file declares):', ''];
  for (const change of drifted.slice(0, MAX_NAMED)) {
    const paths = change.fields.filter((f) => f.origin === 'outside').map((f) => f.path);
    lines.push(`- ${inlineCode(change.sandbox)}: ${named(paths, MAX_PATHS)}`);
  }
  if (drifted.length > MAX_NAMED) lines.push(`- and ${plural(drifted.length - MAX_NAMED, 'more sandbox', 'more sandboxes')}`);
  return [...lines, ''];
}

function conflictList(document: PlanDocument): string[] {
  if (document.conflicts.length === 0) return [];
  const lines = ['❌ **Conflicts** (owctl will not plan or apply these names until they are resolved):', ''];
  for (const conflict of document.conflicts.slice(0, MAX_NAMED)) lines.push(`- ${inlineCode(conflict.sandbox)}: ${escapeHtml(conflict.message)}`);
  if (document.conflicts.length > MAX_NAMED) lines.push(`- and ${document.conflicts.length - MAX_NAMED} more`);
  return [...lines, ''];
}

/** Preflight problems (apply refuses on an error), errors first: a reviewer sees why a merge would fail. */
function preflightCallout(document: PlanDocument): string[] {
  const problems = document.preflight ?? [];
  if (problems.length === 0) return [];
  const groups = groupProblems(problems);
  const errors = problems.filter((p) => p.severity === 'error').length;
  const head = errors > 0 ? `❌ **Preflight: apply would fail (${plural(errors, 'error', 'errors')})** and will refuse before changing anything:` : '⚠️ **Preflight:**';
  const lines = [head, ''];
  for (const group of groups.slice(0, MAX_NAMED)) {
    const subject = groupSubject(group, inlineCode);
    lines.push(`- **${group.severity}**${subject ? ` ${subject}` : ''}: ${escapeHtml(group.message)}  `, `  hint: ${escapeHtml(group.hint)}`);
  }
  if (groups.length > MAX_NAMED) lines.push(`- and ${groups.length - MAX_NAMED} more`);
  return [...lines, ''];
}

/** Sandboxes msb's own policy stopped: in sync, but not serving until started. */
function asleepCallout(document: PlanDocument): string[] {
  const asleep = document.changes.filter((c) => c.asleep !== undefined);
  if (asleep.length === 0) return [];
  const lines = asleep.slice(0, MAX_NAMED).map((c) => `- 💤 ${inlineCode(c.sandbox)} is asleep: msb stopped it at its ${c.asleep} (no server until it is started)`);
  if (asleep.length > MAX_NAMED) lines.push(`- and ${plural(asleep.length - MAX_NAMED, 'more sandbox', 'more sandboxes')} asleep`);
  return [...lines, '', '`owctl apply --wake` starts them and relaunches their servers.', ''];
}

function summaryTable(summary: Record<Action, number>): string[] {
  const rows = (Object.keys(LABEL) as Action[]).map((action) => `| ${action === 'noop' ? '' : `\`${SYMBOL[action]}\` `}${LABEL[action]} | ${summary[action]} |`);
  return ['| action | count |', '| --- | ---: |', ...rows, '', `**${summaryLine(summary)}**`, ''];
}

function heading(document: PlanDocument): string[] {
  return [`### owctl plan: project ${inlineCode(document.project)}`, '', `File: ${inlineCode(document.file)}`, ''];
}

/** As many whole sections as fit in `budget` bytes, in plan order. */
function fit(sections: string[], budget: number): string[] {
  const kept: string[] = [];
  let used = 0;
  for (const text of sections) {
    if (used + bytes(text) > budget) break;
    kept.push(text);
    used += bytes(text);
  }
  return kept;
}

function truncationNote(omitted: number, maxBytes: number): string {
  return (
    `✂️ **${plural(omitted, 'more changed sandbox is', 'more changed sandboxes are')} not shown** to keep this under ` +
    `${maxBytes} bytes. Run \`owctl plan\` for the full plan.\n\n`
  );
}

export function renderPlanMarkdown(document: PlanDocument, options: PlanMarkdownOptions = {}): string {
  const maxBytes = options.maxBytes ?? DEFAULT_MARKDOWN_MAX_BYTES;
  const changed = document.changes.filter((c) => c.action !== 'noop');
  const unchanged = document.changes.length - changed.length;
  const tail = unchanged > 0 ? `_${plural(unchanged, 'sandbox is', 'sandboxes are')} unchanged (not listed)._\n` : '';
  if (changed.length === 0) {
    const head = [...heading(document), `✅ **No changes.** Live sandboxes match ${inlineCode(document.file)}.`, '', ...asleepCallout(document), ...conflictList(document)];
    return `${head.join('\n')}\n${tail}`.replace(/\n+$/, '\n');
  }
  const head = `${[...heading(document), ...preflightCallout(document), ...attention(changed), ...driftCallout(changed), ...conflictList(document), ...asleepCallout(document), ...summaryTable(document.summary)].join('\n')}\n`;
  const sections = changed.map(section);
  const room = maxBytes - bytes(head) - bytes(tail);
  let kept = fit(sections, room);
  let note = '';
  if (kept.length < sections.length) {
    // The note's own size depends on how many are left out; the worst case (all) is at most a few bytes longer.
    kept = fit(sections, room - bytes(truncationNote(sections.length, maxBytes)));
    note = truncationNote(sections.length - kept.length, maxBytes);
  }
  return `${head}${kept.join('')}${note}${tail}`.replace(/\n+$/, '\n');
}
