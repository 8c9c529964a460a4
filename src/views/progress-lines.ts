/** Progress as plain lines, for CI logs and other non-terminals: one line per change and per verification step. */
import type { ApplyEvent } from '../apply/events.ts';

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export function progressLine(event: ApplyEvent): string | null {
  switch (event.type) {
    case 'change_start':
      return `${event.sandbox}: ${event.action} started`;
    case 'step_start':
      return event.message === undefined ? null : `${event.sandbox}: ${event.step} ${event.message}`;
    case 'step_finish':
      if (event.step.startsWith('verify:') || event.step.startsWith('access:')) return `${event.sandbox}: ${event.step} ${event.ok ? 'ok' : 'FAILED'} (${event.duration_ms} ms)`;
      if (event.step === 'stop-server' && event.ok && event.message) return `${event.sandbox}: ${event.message}`;
      return event.ok ? null : `${event.sandbox}: ${event.step} FAILED after ${seconds(event.duration_ms)}`;
    case 'change_finish':
      return `${event.sandbox}: ${event.action} done (${seconds(event.duration_ms)})`;
    case 'change_failed':
      return `${event.sandbox}: ${event.action} FAILED at ${event.step} (${seconds(event.duration_ms)})`;
    case 'change_skipped':
      return `${event.sandbox}: ${event.action} skipped: ${event.reason}`;
    case 'change_interrupted':
      return `${event.sandbox}: ${event.action} ${event.reason} (${seconds(event.duration_ms)})`;
    default:
      return null;
  }
}
