/** How an error reaches the user: `error: …` then `hint: …`; with --json, one object. Never a stack trace unless OWCTL_DEBUG=1. */
import { isOwctlError } from '../errors.ts';
import type { Style } from './style.ts';

export function renderError(error: unknown, s: Style, debug: boolean): string {
  if (isOwctlError(error)) {
    const lines = [`${s.red(s.bold('error:'))} ${error.message}`];
    if (error.hint) lines.push(`${s.bold('hint:')} ${error.hint}`);
    if (debug && error.cause instanceof Error && error.cause.stack) lines.push(error.cause.stack);
    return `${lines.join('\n')}\n`;
  }
  const message = error instanceof Error ? error.message : String(error);
  const lines = [`${s.red(s.bold('error:'))} internal error: ${message}`];
  lines.push(`${s.bold('hint:')} this is a bug in owctl; re-run with OWCTL_DEBUG=1 for a stack trace and report it`);
  if (debug && error instanceof Error && error.stack) lines.push(error.stack);
  return `${lines.join('\n')}\n`;
}

export function errorJson(error: unknown): Record<string, unknown> {
  if (isOwctlError(error)) {
    return { code: error.code, message: error.message, hint: error.hint ?? null, ...(error.details ? { details: error.details } : {}) };
  }
  return { code: 'internal', message: error instanceof Error ? error.message : String(error), hint: null };
}
