/**
 * The first two stages every command shares: load the file (desired state) and take one read-only snapshot of
 * live msb state (observed), with a /health probe of each running sandbox's OpenWork server.
 */
import type { DesiredState } from '../model/desired.ts';
import type { ObservedSandbox, ObservedState, ServerHealth } from '../model/observed.ts';
import { Msb } from '../msb/driver.ts';
import { liveObserver, type LiveObserver } from '../msb/live-observer.ts';
import { locateMsb } from '../msb/locate.ts';
import type { CommandIO } from './io.ts';
import { loadFile } from './load-file.ts';

export const DEFAULT_PARALLELISM = 8;
export const OPENWORK_GUEST_PORT = 8787;

export interface SnapshotOptions {
  file: string;
  msb?: string;
  parallelism?: number;
  /** The verb, for GitHub annotations' titles (default: plan). */
  command?: string;
}

export interface Snapshot {
  desired: DesiredState;
  secrets: string[];
  observed: ObservedState;
  msb: Msb;
}

export function serverUrl(sandbox: { ports: { guest: number; host: number; bind: string }[] }, connectHost: string): string | null {
  const port = sandbox.ports.find((p) => p.guest === OPENWORK_GUEST_PORT);
  if (port === undefined) return null;
  const host = port.bind === '0.0.0.0' || port.bind === '::' ? connectHost : port.bind;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port.host}`;
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

export async function observeLive(desired: DesiredState, observer: LiveObserver, parallelism: number | undefined): Promise<ObservedState> {
  const connectHost = new Map(desired.sandboxes.map((s) => [s.name, s.verify.connectHost]));
  const probe = async (sandbox: ObservedSandbox): Promise<ServerHealth> => {
    const url = serverUrl(sandbox, connectHost.get(sandbox.name) ?? '127.0.0.1');
    if (url === null) return 'unknown';
    // Loaded on first use: most plans probe nothing, and the HTTP client is a large share of start-up time.
    const { probeHealth } = await import('../verify/probe.ts');
    return probeHealth(url);
  };
  // The CLI channel refuses the cloud backend itself (msb.unsupported_backend) before any other call; the SDK
  // channel leaves any backend but local to it.
  return observer.observe(desired, { parallelism: parallelism ?? DEFAULT_PARALLELISM, probe });
}

/** Load the file, then observe. `between` runs after loading and before observing (apply takes its lock there). */
export async function takeSnapshot(options: SnapshotOptions, io: CommandIO, between?: (desired: DesiredState) => Promise<void>): Promise<Snapshot> {
  const observer = openObserver(options.msb, io);
  // The SDK loads, or msb answers `context`, while the file is read and checked.
  observer.warm();
  const { desired, secrets } = await loadFile(options.file, io, options.command ?? 'plan');
  if (between) await between(desired);
  const observed = await observeLive(desired, observer, options.parallelism);
  if (io.env.OWCTL_DEBUG === '1') io.stderr(`observed through the ${observer.choice.channel.toUpperCase()}: ${observer.choice.reason}\n`);
  return { desired, secrets, observed, msb: observer.msb };
}
