/**
 * GitHub Actions output (when `GITHUB_ACTIONS=true`): workflow commands that mask secrets and annotate the file
 * (`::add-mask::`, `::error file=…::`), and Markdown appended to the step summary (`$GITHUB_STEP_SUMMARY`).
 * Workflow commands are read from the step's stdout and stderr alike; write them to stderr so that a redirected
 * stdout (`owctl plan --format markdown > plan.md`) stays clean.
 */
import { appendFile } from 'node:fs/promises';
import path from 'node:path';
import type { ApplyResult, ChangeOutcome, Outcome } from '../apply/events.ts';
import type { Diagnostic } from '../model/diagnostic.ts';
import { escapeHtml, inlineCode } from './plan-markdown.ts';

/** Lines of a multi-line secret shorter than this are not masked: alone they are not secret, and masking `}` would blank the log. */
const MIN_MASKED_LENGTH = 4;

/** A workflow command's message (data): the runner unescapes exactly these. */
export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** A workflow command's property value: the data escapes plus the property separators. */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/**
 * One `::add-mask::` line per distinct secret. The runner masks line by line, so a value with newlines is masked
 * one line at a time (GitHub's advice for multi-line secrets); empty and whitespace-only values are skipped.
 */
export function maskCommands(secrets: readonly string[]): string {
  const values = new Set<string>();
  for (const secret of secrets) {
    for (const line of secret.split(/\r\n|\r|\n/)) {
      if (line.trim().length >= MIN_MASKED_LENGTH) values.add(line);
    }
  }
  return [...values].map((value) => `::add-mask::${escapeData(value)}\n`).join('');
}

/** The file as GitHub wants it: relative to the workspace (`cwd`) when inside it, else as given. */
function annotationFile(file: string, cwd: string): string {
  const relative = path.relative(cwd, file);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}

/** One `::error` annotation per config diagnostic, placed on its line and column (GitHub shows it in the diff). */
export function errorAnnotations(diagnostics: readonly Diagnostic[], cwd: string, title = 'owctl validate'): string {
  return diagnostics
    .map((d) => {
      const properties = [`file=${escapeProperty(annotationFile(d.file, cwd))}`, `line=${d.line}`, `col=${d.col}`, `title=${escapeProperty(title)}`].join(',');
      const message = `${d.path === '' ? '' : `${d.path}: `}${d.message}${d.hint ? `\nhint: ${d.hint}` : ''}`;
      return `::error ${properties}::${escapeData(message)}\n`;
    })
    .join('');
}

/** Appends Markdown to the step summary when `$GITHUB_STEP_SUMMARY` names a file; does nothing otherwise. */
export async function appendStepSummary(env: NodeJS.ProcessEnv, markdown: string): Promise<void> {
  const file = env.GITHUB_STEP_SUMMARY;
  if (file === undefined || file === '') return;
  await appendFile(file, `${markdown.trimEnd()}\n\n`, 'utf8');
}

const OUTCOME: Record<Outcome, string> = { succeeded: '✅ succeeded', failed: '❌ failed', interrupted: '⏸️ interrupted', skipped: '⏭️ skipped' };

/** A table cell: no pipe ends the cell, no newline ends the row, no raw HTML. */
function cell(text: string): string {
  return escapeHtml(text.replace(/\r\n|\r|\n/g, ' ')).replace(/\|/g, '\\|');
}

function duration(o: ChangeOutcome): string {
  if (o.outcome === 'skipped') return '–';
  return o.durationMs < 1000 ? `${o.durationMs} ms` : `${(o.durationMs / 1000).toFixed(1)} s`;
}

function detail(o: ChangeOutcome): string {
  if (o.error) return `${inlineCode(o.error.step).replace(/\|/g, '\\|')}: ${cell(o.error.message)}${o.error.hint ? `<br>hint: ${cell(o.error.hint)}` : ''}`;
  return o.reason !== undefined ? cell(o.reason) : '';
}

/** The outcome of an apply or destroy as a step-summary table: one row per sandbox, failures with step and message. */
export function applySummaryMarkdown(result: ApplyResult, verb: 'Apply' | 'Destroy'): string {
  const count = (outcome: Outcome) => result.outcomes.filter((o) => o.outcome === outcome).length;
  const failed = count('failed');
  const status = result.interrupted ? 'interrupted' : failed > 0 ? 'failed' : 'complete';
  const lines = [`### owctl ${verb.toLowerCase()}: ${status}`, ''];
  if (result.outcomes.length === 0) return `${[...lines, 'Nothing to do.'].join('\n')}\n`;
  const stopped = count('interrupted');
  lines.push(`${count('succeeded')} succeeded, ${failed} failed, ${stopped > 0 ? `${stopped} interrupted, ` : ''}${count('skipped')} skipped.`, '');
  lines.push('| sandbox | action | outcome | duration | error |', '| --- | --- | --- | ---: | --- |');
  for (const o of result.outcomes) lines.push(`| ${inlineCode(o.sandbox)} | ${o.action} | ${OUTCOME[o.outcome]} | ${duration(o)} | ${detail(o)} |`);
  if (result.interrupted) lines.push('', 'Interrupted: nothing new was started; steps in flight finished. Run it again to converge the rest.');
  else if (failed > 0) lines.push('', 'What succeeded is kept. Fix the cause and run it again.');
  return `${lines.join('\n')}\n`;
}
