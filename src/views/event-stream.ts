/**
 * `owctl apply --json` / `owctl destroy --json`: newline-delimited JSON events. The first line states the stream's
 * version (Terraform's `-json` convention); schemas/events.schema.json describes every line.
 */
import type { ApplyEvent, ApplyResult } from '../apply/events.ts';
import type { Plan } from '../model/plan.ts';

export const EVENT_STREAM_VERSION = '1.0';

export class EventStream {
  constructor(private readonly write: (text: string) => void) {
    this.emit({ type: 'version', format_version: EVENT_STREAM_VERSION, tool: 'owctl' });
  }

  emit(event: Record<string, unknown>): void {
    this.write(`${JSON.stringify({ ...event, timestamp: new Date().toISOString() })}\n`);
  }

  planned(plan: Plan): void {
    for (const change of plan.changes) {
      if (change.action === 'noop') continue;
      this.emit({ type: 'planned_change', sandbox: change.sandbox, action: change.action, reason: change.reason, blocked: change.blocked });
    }
  }

  readonly onEvent = (event: ApplyEvent): void => this.emit({ ...event });

  summary(result: ApplyResult | null, exitCode: number): void {
    const count = (outcome: string) => result?.outcomes.filter((o) => o.outcome === outcome).length ?? 0;
    this.emit({
      type: 'summary',
      succeeded: count('succeeded'),
      failed: count('failed'),
      skipped: count('skipped'),
      interrupted: result?.interrupted ?? false,
      exit_code: exitCode,
    });
  }
}
