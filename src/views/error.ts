/**
 * How an error reaches the user: `error: …` then `hint: …`; config problems as the full list of diagnostics;
 * with --json, one object. Never a stack trace unless OWCTL_DEBUG=1.
 */
import type { Diagnostic } from '../model/diagnostic.ts';
import { isOwctlError } from '../errors.ts';
import { formatDiagnostics } from './diagnostics.ts';
import { snakeKeys } from './json-style.ts';
import { style } from './style.ts';

export interface ErrorViewOptions {
  color: boolean;
  debug: boolean;
  cwd: string;
}

export function renderError(error: unknown, options: ErrorViewOptions): string {
  const s = style(options.color);
  if (isOwctlError(error)) {
    const diagnostics = error.code === 'config.invalid' ? (error.details?.diagnostics as Diagnostic[] | undefined) : undefined;
    if (diagnostics !== undefined && diagnostics.length > 0) return formatDiagnostics(diagnostics, { color: options.color, cwd: options.cwd });
    const lines = [`${s.red(s.bold('error:'))} ${error.message}`];
    if (error.hint) lines.push(`${s.bold('hint:')} ${error.hint}`);
    if (options.debug && error.cause instanceof Error && error.cause.stack) lines.push(error.cause.stack);
    return `${lines.join('\n')}\n`;
  }
  const message = error instanceof Error ? error.message : String(error);
  const lines = [`${s.red(s.bold('error:'))} internal error: ${message}`];
  lines.push(`${s.bold('hint:')} this is a bug in owctl; re-run with OWCTL_DEBUG=1 for a stack trace and report it`);
  if (options.debug && error instanceof Error && error.stack) lines.push(error.stack);
  return `${lines.join('\n')}\n`;
}

export function errorJson(error: unknown): Record<string, unknown> {
  if (isOwctlError(error)) {
    return { code: error.code, message: error.message, hint: error.hint ?? null, ...(error.details ? { details: snakeKeys(error.details) } : {}) };
  }
  return { code: 'internal', message: error instanceof Error ? error.message : String(error), hint: null };
}
