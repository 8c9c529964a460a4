/**
 * apply's and destroy's hold on the project: the lock (src/apply/lock.ts), taken so that an interrupt while
 * waiting stops the wait, and released on every way out — including a second interrupt, which leaves at once.
 */
import { rmSync } from 'node:fs';
import { acquireLock, effectiveMsbHome, type LockHolder } from '../apply/lock.ts';
import type { DesiredState } from '../model/desired.ts';
import { lockScope } from '../opensandbox/server-identity.ts';
import { interruptsOf, type CommandIO } from './io.ts';

/** `waiting up to 15 s for the project lock: pid 123 on host (owctl apply) holds it since 12:00:03 (40 s ago)`. */
function waitLine(holder: LockHolder | null, timeoutMs: number): string {
  const head = `waiting up to ${Math.round(timeoutMs / 1000)} s for the project lock`;
  if (holder === null) return `${head}: its holder cannot be read`;
  const since = new Date(holder.started_at);
  const when = Number.isNaN(since.getTime()) ? holder.started_at : `${since.toTimeString().slice(0, 8)} (${Math.max(0, Math.round((Date.now() - since.getTime()) / 1000))} s ago)`;
  return `${head}: pid ${holder.pid} on ${holder.host} (owctl ${holder.command}) holds it since ${when}`;
}

/** Takes the lock; returns its release. */
export async function lockProject(desired: DesiredState, io: CommandIO, command: 'apply' | 'destroy' | 'import', timeoutMs: number): Promise<() => Promise<void>> {
  const interrupts = interruptsOf(io);
  // The lock guards one engine's state: msb's home, or the OpenSandbox server the file points at.
  const scope = desired.backend?.type === 'opensandbox' ? lockScope(desired.backend.url, io.env) : effectiveMsbHome(io.env);
  const lock = await interrupts.during(
    'waiting for the project lock',
    acquireLock({ project: desired.project, msbHome: scope, command, timeoutMs, signal: interrupts.signal, onWait: (holder) => io.stderr(`${waitLine(holder, timeoutMs)}\n`) }),
  );
  const forget = interrupts.atForcedExit(() => rmSync(lock.path, { force: true }));
  return async () => {
    forget();
    await lock.release();
  };
}
