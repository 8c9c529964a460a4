/**
 * keepalive's loop, apart from the command's wiring so that its clock, msb and file can be handed in (a test runs
 * thousands of passes in seconds). Each pass re-reads the file (an edit is picked up on the next pass), then for each
 * chosen sandbox with an idle_timeout asks when a client last used it and `msb touch`es it when that was within its
 * idle_timeout. A failed msb call or request is logged and the loop goes on: the next pass tries again. Only a file
 * that no longer loads, or lost access to msb (no binary, a home migrated by a newer msb, a backend it cannot use),
 * ends it.
 */
import { isOwctlError, OwctlError, signalExit, type ErrorCode } from '../errors.ts';
import type { DesiredSandbox, DesiredState } from '../model/desired.ts';
import type { ObservedSandbox } from '../model/observed.ts';
import { serverUrl } from '../msb/address.ts';
import { keepaliveVerdict, type KeepaliveVerdict } from '../plan/keepalive.ts';
import type { ActivityAnswer } from '../verify/activity.ts';

/** msb errors no later pass can recover from: keepalive has lost access to msb and stops. */
const LOST_ACCESS: ReadonlySet<ErrorCode> = new Set(['msb.not_found', 'msb.home_newer', 'msb.unsupported_backend']);

export interface KeepaliveDeps {
  msb: { inspect(name: string): Promise<ObservedSandbox | null>; touch(name: string): Promise<void> };
  /** Reads and checks the file; throws (config.*) when it is broken. */
  load(): Promise<DesiredState>;
  activity(url: string, clientToken: string, signal: AbortSignal): Promise<ActivityAnswer>;
  /** Resolves after `ms`, or at once when `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  now(): number;
  log(line: string): void;
}

export interface KeepaliveLoopOptions {
  names: string[];
  intervalSecs?: number;
  once: boolean;
}

export function defaultIntervalSecs(sandboxes: DesiredSandbox[]): number {
  const shortest = Math.min(...sandboxes.map((s) => s.idleTimeoutSecs ?? Infinity));
  return Math.min(300, Math.max(5, Math.floor(shortest / 3)));
}

function chosen(desired: DesiredState, names: string[]): DesiredSandbox[] {
  const unknown = names.filter((name) => !desired.sandboxes.some((s) => s.name === name));
  if (unknown.length > 0) throw new OwctlError('usage', `${unknown.join(', ')}: no such sandbox in the file`, { hint: 'run `owctl status` to list them' });
  return desired.sandboxes.filter((s) => (names.length === 0 || names.includes(s.name)) && s.idleTimeoutSecs !== undefined);
}

/**
 * Runs passes until interrupted (exit code 128 + the signal's number; 130 when the abort names no signal), one with
 * `once` (0); throws when the file breaks or msb is lost.
 */
export async function keepaliveLoop(options: KeepaliveLoopOptions, deps: KeepaliveDeps, signal: AbortSignal): Promise<number> {
  let first = true;
  for (;;) {
    const timed = chosen(await deps.load(), options.names);
    if (first && timed.length === 0) {
      deps.log('No sandbox here sets idle_timeout: msb never drains them for idleness, nothing to keep awake.');
      return 0;
    }
    first = false;
    for (const sandbox of timed) deps.log(await keepOneSafely(deps, sandbox, signal));
    if (options.once) return 0;
    if (signal.aborted) return signalExit(signal.reason);
    await deps.sleep((options.intervalSecs ?? defaultIntervalSecs(timed)) * 1000, signal);
    if (signal.aborted) return signalExit(signal.reason);
  }
}

/** One sandbox's pass; a failure is its log line, except lost access to msb, which ends the loop. */
async function keepOneSafely(deps: KeepaliveDeps, sandbox: DesiredSandbox, signal: AbortSignal): Promise<string> {
  try {
    return await keepOne(deps, sandbox, signal);
  } catch (error) {
    if (isOwctlError(error) && LOST_ACCESS.has(error.code)) throw error;
    const message = error instanceof Error ? error.message : String(error);
    return `${sandbox.name}: ${message.split('\n')[0]}; trying again next pass`;
  }
}

async function keepOne(deps: KeepaliveDeps, sandbox: DesiredSandbox, signal: AbortSignal): Promise<string> {
  const live = await deps.msb.inspect(sandbox.name);
  if (live === null) return `${sandbox.name}: not created yet (owctl apply creates it)`;
  const idleTimeoutSecs = live.idleTimeoutSecs;
  let lastUsedMs: number | null | undefined;
  let unknownReason: string | undefined;
  let removed = 0;
  const url = serverUrl(live, sandbox.verify.connectHost);
  if (live.status === 'Running' && url !== null) {
    const answer = await deps.activity(url, sandbox.tokens.client, signal);
    if (answer.kind === 'known') {
      lastUsedMs = answer.lastUsedMs;
      removed = answer.removedVerifySessions;
    } else unknownReason = answer.reason;
  } else if (url === null) unknownReason = 'it publishes no port for the OpenWork server';
  const verdict = keepaliveVerdict({ status: live.status, idleTimeoutSecs, lastUsedMs, unknownReason }, deps.now());
  const cleaned = removed > 0 ? `; deleted ${removed} owctl verification session${removed === 1 ? '' : 's'} left behind` : '';
  if (verdict.action === 'touch') {
    try {
      await deps.msb.touch(sandbox.name);
    } catch (error) {
      if (isOwctlError(error) && LOST_ACCESS.has(error.code)) throw error;
      const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
      return `${sandbox.name}: used by a client ${verdict.idleForSecs} s ago, but msb touch failed (${message}); trying again next pass${cleaned}`;
    }
  }
  return `${describe(sandbox.name, verdict, idleTimeoutSecs)}${cleaned}`;
}

function describe(name: string, verdict: KeepaliveVerdict, idleTimeoutSecs: number | null): string {
  const limit = `idle_timeout ${idleTimeoutSecs ?? '-'} s`;
  if (verdict.action === 'skip') return `${name}: ${verdict.reason}`;
  if (verdict.action === 'touch') return `${name}: used by a client ${verdict.idleForSecs} s ago (${limit}): touched, msb's idle timer restarts`;
  if (verdict.reason !== undefined) return `${name}: cannot tell when a client last used it (${verdict.reason}); left to msb's ${limit}`;
  const since = verdict.idleForSecs === null ? 'no client activity yet' : `no client activity for ${verdict.idleForSecs} s`;
  return `${name}: ${since} (${limit}): left to msb's idle drain`;
}
