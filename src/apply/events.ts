/**
 * What the executor reports while it works. Views (listr2 progress, plain lines, the --json event stream, the
 * summary) consume these; the executor never prints.
 */
import type { Action } from '../model/plan.ts';

export type StepName =
  | 'check-image'
  | 'load-image'
  | 'pull-image'
  | 'stop-server'
  | 'remove'
  | 'prepare-mounts'
  | 'check-ports'
  | 'create'
  | 'modify'
  | 'start'
  | 'launch-server'
  | 'verify'
  | 'verify-existing'
  | 'confirm-new'
  | 'remove-new'
  | 'remove-old'
  | 'remove-duplicate';

export type ApplyEvent =
  | { type: 'change_start'; sandbox: string; action: Action }
  | { type: 'step_start'; sandbox: string; step: StepName | string; message?: string }
  | { type: 'step_finish'; sandbox: string; step: StepName | string; ok: boolean; duration_ms: number; message?: string }
  | { type: 'change_finish'; sandbox: string; action: Action; duration_ms: number }
  | { type: 'change_failed'; sandbox: string; action: Action; duration_ms: number; step: string; code: string; message: string; hint?: string }
  | { type: 'change_skipped'; sandbox: string; action: Action; reason: string }
  | { type: 'change_interrupted'; sandbox: string; action: Action; duration_ms: number; step: string; reason: string };

/** skipped: never started (an interrupt came first); interrupted: started, stopped between steps by an interrupt. */
export type Outcome = 'succeeded' | 'failed' | 'interrupted' | 'skipped';

export interface ChangeOutcome {
  sandbox: string;
  action: Action;
  outcome: Outcome;
  durationMs: number;
  error?: { step: string; code: string; message: string; hint?: string };
  reason?: string;
  /** interrupted: the step it stopped before (or during, for verification). */
  step?: string;
}

export interface ApplyResult {
  outcomes: ChangeOutcome[];
  interrupted: boolean;
}

export function failedCount(result: ApplyResult): number {
  return result.outcomes.filter((o) => o.outcome === 'failed').length;
}
