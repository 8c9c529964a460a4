/**
 * `owctl keepalive`: makes idle_timeout mean "no client used it for that long". msb's idle monitor counts exec
 * activity only, never traffic on published ports, so a sandbox used only by remote OpenWork clients is drained while
 * in use. Each pass asks every running sandbox with an idle_timeout when a client last used it (its OpenCode
 * sessions, through the client routes; published-port reads are no msb activity themselves) and `msb touch`es the ones
 * used within their idle_timeout. Runs until interrupted, or one pass with --once (for cron or a systemd timer).
 */
import { EXIT, OwctlError, signalExit } from '../errors.ts';
import type { DesiredSandbox } from '../model/desired.ts';
import type { Msb } from '../msb/driver.ts';
import { keepaliveVerdict, type KeepaliveVerdict } from '../plan/keepalive.ts';
import { interruptsOf, type CommandIO } from './io.ts';
import { loadFile } from './load-file.ts';
import { serverUrl } from '../msb/address.ts';
import { openMsb } from './backend.ts';

export interface KeepaliveOptions {
  file: string;
  msb?: string;
  names: string[];
  /** Between passes; default a third of the shortest idle_timeout, within 5 s – 5 min. */
  intervalSecs?: number;
  once: boolean;
}

export function defaultIntervalSecs(sandboxes: DesiredSandbox[]): number {
  const shortest = Math.min(...sandboxes.map((s) => s.idleTimeoutSecs ?? Infinity));
  return Math.min(300, Math.max(5, Math.floor(shortest / 3)));
}

export async function keepaliveCommand(options: KeepaliveOptions, io: CommandIO): Promise<number> {
  const msb = await openMsb(options.msb, io);
  const { desired } = await loadFile(options.file, io, 'keepalive');
  const unknown = options.names.filter((name) => !desired.sandboxes.some((s) => s.name === name));
  if (unknown.length > 0) throw new OwctlError('usage', `${unknown.join(', ')}: no such sandbox in the file`, { hint: 'run `owctl status` to list them' });
  const chosen = desired.sandboxes.filter((s) => options.names.length === 0 || options.names.includes(s.name));
  const timed = chosen.filter((s) => s.idleTimeoutSecs !== undefined);
  if (timed.length === 0) {
    io.stdout('No sandbox here sets idle_timeout: msb never drains them for idleness, nothing to keep awake.\n');
    return EXIT.ok;
  }
  const intervalMs = (options.intervalSecs ?? defaultIntervalSecs(timed)) * 1000;
  // A signal ends the loop after the pass in flight (its msb touch calls are short).
  const interrupts = interruptsOf(io);
  interrupts.claim();
  const signal = interrupts.signal;
  for (;;) {
    for (const sandbox of timed) io.stdout(`${await keepOne(msb, sandbox, signal)}\n`);
    if (options.once) return EXIT.ok;
    if (signal.aborted) return signalExit(signal.reason);
    await sleep(intervalMs, signal);
    if (signal.aborted) return signalExit(signal.reason);
  }
}

async function keepOne(msb: Msb, sandbox: DesiredSandbox, signal: AbortSignal): Promise<string> {
  const live = await msb.inspect(sandbox.name);
  if (live === null) return `${sandbox.name}: not created yet (owctl apply creates it)`;
  const idleTimeoutSecs = live.idleTimeoutSecs;
  let lastUsedMs: number | null | undefined;
  let unknownReason: string | undefined;
  const url = serverUrl(live, sandbox.verify.connectHost);
  if (live.status === 'Running' && url !== null) {
    const { lastClientActivity } = await import('../verify/activity.ts');
    const answer = await lastClientActivity(url, sandbox.tokens.client, signal);
    if (answer.kind === 'known') lastUsedMs = answer.lastUsedMs;
    else unknownReason = answer.reason;
  } else if (url === null) unknownReason = 'it publishes no port for the OpenWork server';
  const verdict = keepaliveVerdict({ status: live.status, idleTimeoutSecs, lastUsedMs, unknownReason }, Date.now());
  if (verdict.action === 'touch') await msb.touch(sandbox.name);
  return describe(sandbox.name, verdict, idleTimeoutSecs);
}

function describe(name: string, verdict: KeepaliveVerdict, idleTimeoutSecs: number | null): string {
  const limit = `idle_timeout ${idleTimeoutSecs ?? '-'} s`;
  if (verdict.action === 'skip') return `${name}: ${verdict.reason}`;
  if (verdict.action === 'touch') return `${name}: used by a client ${verdict.idleForSecs} s ago (${limit}): touched, msb's idle timer restarts`;
  if (verdict.reason !== undefined) return `${name}: cannot tell when a client last used it (${verdict.reason}); left to msb's ${limit}`;
  const since = verdict.idleForSecs === null ? 'no client activity yet' : `no client activity for ${verdict.idleForSecs} s`;
  return `${name}: ${since} (${limit}): left to msb's idle drain`;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
