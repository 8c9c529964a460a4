/**
 * The first two stages every command shares: load the file (desired state) and take one read-only snapshot of
 * live state through the file's backend, with a /health probe of each running sandbox's OpenWork server.
 */
import { resolve } from 'node:path';
import type { Backend, ServerAddress } from '../apply/backend.ts';
import type { DesiredState } from '../model/desired.ts';
import type { ObservedSandbox, ObservedState, ServerHealth } from '../model/observed.ts';
import { projectHint } from '../config/project-hint.ts';
import { sweepStrayConfs } from '../msb/conf.ts';
import { openBackend, startMsb } from './backend.ts';
import { interruptsOf, type CommandIO } from './io.ts';
import { loadFile } from './load-file.ts';
import { observeAccess } from './observe-access.ts';

export const DEFAULT_PARALLELISM = 8;

export interface SnapshotOptions {
  file: string;
  msb?: string;
  parallelism?: number;
  /** The verb, for GitHub annotations' titles (default: plan). */
  command?: string;
  /** The command never uses a secret value: it runs with the token variables unset (see loadFile). */
  optionalSecrets?: boolean;
}

export interface Snapshot {
  desired: DesiredState;
  secrets: string[];
  observed: ObservedState;
  backend: Backend;
}

/** The server's health, and its OpenCode's when the file gives this sandbox's client token. */
function prober(desired: DesiredState) {
  const tokens = new Map(desired.sandboxes.map((s) => [s.name, s.tokens.client]));
  return async (sandbox: ObservedSandbox, address: ServerAddress): Promise<ServerHealth> => {
    // Loaded on first use: most plans probe nothing, and the HTTP client is a large share of start-up time.
    const { probeHealth } = await import('../verify/probe.ts');
    const clientToken = tokens.get(sandbox.name);
    return probeHealth(address.url, { headers: address.headers, ...(clientToken === undefined ? {} : { clientToken }) });
  };
}

export async function observeLive(desired: DesiredState, backend: Backend, parallelism: number | undefined): Promise<ObservedState> {
  const observed = await backend.observe(desired, { parallelism: parallelism ?? DEFAULT_PARALLELISM, probe: prober(desired) });
  await observeAccess(desired, observed, backend, parallelism ?? DEFAULT_PARALLELISM);
  return observed;
}

/** Load the file, then observe. `between` runs after loading and before observing (apply takes its lock there). */
export async function takeSnapshot(options: SnapshotOptions, io: CommandIO, between?: (desired: DesiredState) => Promise<void>): Promise<Snapshot> {
  // msb answers `context` while the file is read and checked: one round trip off every plan.
  const early = startMsb(options.msb, io);
  // With nothing between loading and observing (apply's lock), the project's sandboxes can be listed meanwhile.
  const listing =
    between === undefined
      ? projectHint(resolve(io.cwd, options.file)).then((project) => (project === undefined ? undefined : early.prefetch(project)), () => undefined)
      : undefined;
  // A create killed outright strands its private conf file (tokens inside): every run that reads live state sweeps.
  const sweep = sweepStrayConfs().catch(() => 0);
  // Reading and observing change nothing: an interrupt stops them at once (calls in flight end on their own).
  const interrupts = interruptsOf(io);
  // The list runs in msb's native threads, but only once it has been asked for, and checking a large file holds this
  // thread for its whole length: so it is asked for first (measured at 1,000 sandboxes: it started only after the
  // file's 250 ms of checks, and the plan then waited 320 ms for it).
  if (listing !== undefined) await interrupts.during('reading the file', listing);
  const loading = loadFile(options.file, io, options.command ?? 'plan', { optionalSecrets: options.optionalSecrets === true });
  const { desired, secrets } = await interrupts.during('reading the file', loading);
  const backend = await interrupts.during('reading the file', openBackend(desired, secrets, io, early));
  if (between) await between(desired);
  const observed = await interrupts.during('observing live state', observeLive(desired, backend, options.parallelism));
  await sweep;
  return { desired, secrets, observed, backend };
}
