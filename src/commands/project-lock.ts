/**
 * apply's and destroy's hold on the project: the lock (src/apply/lock.ts), taken so that an interrupt while
 * waiting stops the wait, and released on every way out — including a second interrupt, which leaves at once.
 */
import { rmSync } from 'node:fs';
import { acquireLock, effectiveMsbHome } from '../apply/lock.ts';
import type { DesiredState } from '../model/desired.ts';
import { lockScope } from '../opensandbox/server-identity.ts';
import { interruptsOf, type CommandIO } from './io.ts';

/** Takes the lock; returns its release. */
export async function lockProject(desired: DesiredState, io: CommandIO, command: 'apply' | 'destroy' | 'import', timeoutMs: number): Promise<() => Promise<void>> {
  const interrupts = interruptsOf(io);
  // The lock guards one engine's state: msb's home, or the OpenSandbox server the file points at.
  const scope = desired.backend?.type === 'opensandbox' ? lockScope(desired.backend.url, io.env) : effectiveMsbHome(io.env);
  const lock = await interrupts.during(
    'waiting for the project lock',
    acquireLock({ project: desired.project, msbHome: scope, command, timeoutMs, signal: interrupts.signal }),
  );
  const forget = interrupts.atForcedExit(() => rmSync(lock.path, { force: true }));
  return async () => {
    forget();
    await lock.release();
  };
}
