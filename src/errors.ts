/**
 * The one error type owctl raises. `code` is stable (documented, safe to match in scripts), `exitCode` is what the
 * process exits with, `hint` names the command or flag that fixes it. Classify where you throw; never by parsing
 * message text later.
 */
import { constants as osConstants } from 'node:os';

export type ErrorCode =
  | 'config.not_found'
  | 'config.invalid'
  | 'config.interpolation'
  | 'msb.not_found'
  | 'msb.failed'
  | 'msb.sandbox_not_found'
  | 'msb.sandbox_exists'
  | 'msb.sandbox_running'
  | 'sandbox.not_running'
  | 'msb.invalid_config'
  | 'msb.image'
  | 'msb.volume_not_found'
  | 'msb.start_failed'
  | 'msb.bad_output'
  | 'msb.unsupported_backend'
  | 'msb.home_newer'
  | 'msb.home_invalid'
  | 'msb.lost_record'
  | 'msb.database'
  | 'backend.unsupported'
  | 'opensandbox.unauthorized'
  | 'opensandbox.not_found'
  | 'opensandbox.conflict'
  | 'opensandbox.invalid_request'
  | 'opensandbox.image_pull'
  | 'opensandbox.server_error'
  | 'opensandbox.unreachable'
  | 'opensandbox.failed'
  | 'opensandbox.egress'
  | 'opensandbox.shared_address'
  | 'opensandbox.bad_answer'
  | 'msb.argument'
  | 'plan.conflict'
  | 'plan.stale'
  | 'plan.protected'
  | 'plan.invalid_file'
  | 'plan.preflight'
  | 'apply.not_approved'
  | 'apply.failed'
  | 'apply.interrupted'
  | 'lock.held'
  | 'verify.failed'
  | 'verify.public_token'
  | 'access.failed'
  | 'approvals.unavailable'
  | 'approvals.not_found'
  | 'approvals.failed'
  | 'usage';

export const EXIT = { ok: 0, error: 1, changes: 2, interrupted: 130 } as const;

/**
 * The exit code of a run a signal ended: 128 + the signal's number, as a shell reports a process that signal killed
 * (130 SIGINT, 143 SIGTERM, 129 SIGHUP), so a caller reads the same code whether owctl answered the signal or it came
 * before owctl could. `signal` is its name (an AbortSignal's reason); anything else counts as SIGINT.
 */
export function signalExit(signal: unknown): number {
  const number = typeof signal === 'string' ? (osConstants.signals as Record<string, number | undefined>)[signal] : undefined;
  return number === undefined ? EXIT.interrupted : 128 + number;
}

export interface OwctlErrorOptions {
  hint?: string;
  cause?: unknown;
  exitCode?: number;
  /** Extra structured facts for --json output (never secret values). */
  details?: Record<string, unknown>;
}

export class OwctlError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly exitCode: number;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: OwctlErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'OwctlError';
    this.code = code;
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? EXIT.error;
    this.details = options.details;
  }
}

export function isOwctlError(error: unknown): error is OwctlError {
  return error instanceof OwctlError;
}
