/**
 * The composition root of the backends: the file's `backend:` block picks the engine; each is built from its own
 * folder. msb is located and warmed (the SDK import, or `msb context`) while the file is read, so a plan on msb
 * pays no extra round trip; if msb cannot be found, that is reported only when the file turns out to use it.
 */
import type { Backend } from '../apply/backend.ts';
import { FolderRecord } from '../apply/created-folders.ts';
import type { DesiredState } from '../model/desired.ts';
import { msbBackend } from '../msb/backend.ts';
import { Msb } from '../msb/driver.ts';
import { ensurePrivateMsbHome } from '../msb/home-privacy.ts';
import { liveObserver, type LiveObserver } from '../msb/live-observer.ts';
import { locateMsb } from '../msb/locate.ts';
import type { CommandIO } from './io.ts';

export interface EarlyMsb {
  observer: Promise<LiveObserver>;
  /**
   * Starts listing `project`'s sandboxes (SDK channel only) for while the file is checked. Resolves once the list is
   * running in msb's native threads (or at once when there is nothing to start); never rejects.
   */
  prefetch(project: string): Promise<void>;
}

export async function openMsb(flag: string | undefined, io: CommandIO): Promise<Msb> {
  const located = locateMsb({ flag, env: io.env, cwd: io.cwd });
  return new Msb(located.path, io.env);
}

/** The msb driver (for changes) and the observer of live state (SDK or CLI channel, see src/msb/sdk-channel.ts). */
export function openObserver(flag: string | undefined, io: CommandIO): LiveObserver {
  const located = locateMsb({ flag, env: io.env, cwd: io.cwd });
  return liveObserver(new Msb(located.path, io.env), located, io.env);
}

/** Locates msb and starts warming its observer at once; a failure surfaces only if the file uses msb. */
export function startMsb(flag: string | undefined, io: CommandIO): EarlyMsb {
  ensurePrivateMsbHome(io.env);
  const observer = new Promise<LiveObserver>((resolve) => resolve(openObserver(flag, io)));
  observer.then((o) => o.warm(), () => undefined);
  return { observer, prefetch: (project) => observer.then((o) => o.prefetch(project), () => undefined) };
}

export async function openBackend(desired: DesiredState, secrets: string[], io: CommandIO, early: EarlyMsb): Promise<Backend> {
  const spec = desired.backend;
  if (spec?.type === 'opensandbox') {
    // Loaded only for files that use it: a plan on msb never pays for it.
    const { openSandboxBackend } = await import('../opensandbox/backend.ts');
    return openSandboxBackend({ spec, desired, secrets });
  }
  const debug = io.env.OWCTL_DEBUG === '1' ? (line: string) => io.stderr(`${line}\n`) : undefined;
  const credentials = Object.fromEntries(desired.sandboxes.flatMap((s) => (s.credentials ? [[s.name, s.credentials]] : [])));
  return msbBackend(early.observer, { secrets, debug, env: io.env, credentials, folders: FolderRecord.forProject(desired.project, io.env) });
}
