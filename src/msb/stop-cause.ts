/**
 * Why msb last stopped a sandbox, when its own lifecycle policy did it. msb records the cause of every run's end
 * (the `run` table's termination_reason: IdleTimeout, MaxDurationExceeded, ShutdownRequested, Signal, Failed, …; see
 * crates/db/lib/entity/run.rs) but prints it nowhere; its runtime also logs the drain decision, which
 * `msb logs --source system` (or the SDK's `logs({ sources: ['system'] })`) serves (crates/runtime/lib/vm.rs; the
 * texts below are in the 0.6.18 binary):
 *   INFO microsandbox_runtime::vm: sandbox starting sandbox=NAME                      — every boot
 *   INFO microsandbox_runtime::vm: sandbox idle, requesting guest shutdown idle_secs=… — idle-timeout drain
 *   INFO microsandbox_runtime::vm: max duration Ns exceeded, triggering exit           — max-duration drain
 * The last of these lines says how the latest run ended; a manual `msb stop`, a crash or a failed boot log none of
 * the drain lines, so they never read as a policy stop.
 */
import type { StopCause } from '../model/observed.ts';

/** Entries read from the end of the system log: a drain is among a run's last lines. */
export const STOP_CAUSE_TAIL = 200;

const BOOT = /\bsandbox starting\b/;
const IDLE = /\bsandbox idle, requesting guest shutdown\b/;
const MAX = /\bmax duration \d+s exceeded, triggering exit\b/;

/** A log entry as either observe channel reads it: its source (`system`, `stdout`, …) and its text. */
export interface LogLine {
  source: string;
  text: string;
}

/** System log entries, oldest first → the policy that ended the latest run, if any. */
export function stopCauseFromEntries(entries: Iterable<LogLine>): StopCause | null {
  let cause: StopCause | null = null;
  for (const { source, text } of entries) {
    if (source !== 'system') continue;
    if (BOOT.test(text)) cause = null;
    else if (IDLE.test(text)) cause = 'idle_timeout';
    else if (MAX.test(text)) cause = 'max_duration';
  }
  return cause;
}

/** `msb logs NAME --source system --json` (JSON Lines `{s, d, …}`) → the policy that ended the latest run, if any. */
export function stopCauseFromSystemLog(jsonLines: string): StopCause | null {
  return stopCauseFromEntries(jsonLines.split('\n').flatMap((line) => entryOf(line)));
}

function entryOf(line: string): LogLine[] {
  if (line.trim() === '') return [];
  try {
    const entry = JSON.parse(line) as { s?: unknown; d?: unknown };
    return typeof entry.s === 'string' && typeof entry.d === 'string' ? [{ source: entry.s, text: entry.d }] : [];
  } catch {
    return [];
  }
}
