/**
 * `owctl apply --json` / `owctl destroy --json`: newline-delimited JSON events. The first line states the stream's
 * version (Terraform's `-json` convention); schemas/events.schema.json describes every line.
 */
import { knownSecrets } from '../secrets/known.ts';
import { sanitize as redactSecrets } from '../secrets/relay.ts';
import type { ApplyEvent, ApplyResult } from '../apply/events.ts';
import { EXIT } from '../errors.ts';
import type { Plan } from '../model/plan.ts';
import { errorJson } from './error.ts';

/** Errors already written to an event stream (runCommand does not print them to stdout again). */
const streamed = new WeakSet<object>();

export function inEventStream(error: unknown): boolean {
  return typeof error === 'object' && error !== null && streamed.has(error);
}

/** 1.1: the `outputs` event (apply). 1.2: `message` on a verification step's `step_start` (what it waits for). 1.3: access:…:record steps. */
export const EVENT_STREAM_VERSION = '1.3';

export class EventStream {
  constructor(private readonly write: (text: string) => void) {
    this.emit({ type: 'version', format_version: EVENT_STREAM_VERSION, tool: 'owctl' });
  }

  emit(event: Record<string, unknown>): void {
    // Last line of defence, as for errors: no secret this run has read leaves in an event.
    this.write(`${redactSecrets(JSON.stringify({ ...event, timestamp: new Date().toISOString() }), knownSecrets())}\n`);
  }

  planned(plan: Plan): void {
    for (const change of plan.changes) {
      if (change.action === 'noop') continue;
      this.emit({ type: 'planned_change', sandbox: change.sandbox, action: change.action, reason: change.reason, blocked: change.blocked });
    }
  }

  readonly onEvent = (event: ApplyEvent): void => this.emit({ ...event });

  /**
   * Runs `body`; when it throws, the stream ends as the schema says every stream ends: an error event with the
   * stable code, then the summary with the exit code. The error is rethrown for stderr and the exit code.
   */
  async closeOnError(body: () => Promise<number>): Promise<number> {
    try {
      return await body();
    } catch (error) {
      const exitCode = typeof (error as { exitCode?: unknown }).exitCode === 'number' ? (error as { exitCode: number }).exitCode : EXIT.error;
      this.emit({ type: 'error', ...errorJson(error) });
      this.summary(null, exitCode);
      if (typeof error === 'object' && error !== null) streamed.add(error);
      throw error;
    }
  }

  summary(result: ApplyResult | null, exitCode: number): void {
    const count = (outcome: string) => result?.outcomes.filter((o) => o.outcome === outcome).length ?? 0;
    this.emit({
      type: 'summary',
      succeeded: count('succeeded'),
      failed: count('failed'),
      skipped: count('skipped'),
      unfinished: count('interrupted'),
      interrupted: result?.interrupted ?? false,
      exit_code: exitCode,
    });
  }
}
