/**
 * Observed state: one read-only snapshot of live microsandbox state, normalised from `msb ls` / `msb inspect` /
 * `msb image inspect` by src/msb. The planner compares DesiredState against this and nothing else.
 * Invariant: values use the same units and shapes as DesiredState (MiB, seconds, absolute paths as stored).
 */
import type { ObservedAccess } from './access.ts';
import type { BackendCapabilities } from './capabilities.ts';
import type { MountSpec, PortSpec, PullPolicy } from './desired.ts';
import type { ObservedEgress } from './egress-observed.ts';

export type SandboxStatus = 'Created' | 'Starting' | 'Running' | 'Draining' | 'Paused' | 'Stopped' | 'Crashed';

/** Health of the OpenWork server on a running sandbox, probed during observe (`unknown` when not probed). */
export type ServerHealth = 'up' | 'down' | 'unknown';

/** The lifecycle policy that stopped a sandbox (msb drained it), as opposed to a manual stop or a crash. */
export type StopCause = 'idle_timeout' | 'max_duration';

export interface ObservedSandbox {
  name: string;
  status: SandboxStatus;
  labels: Record<string, string>;
  /** Image reference (OCI) or path (bind/disk) exactly as msb stores it. */
  image: string;
  manifestDigest: string | null;
  pull: PullPolicy;
  cpus: number;
  memoryMib: number;
  /** Full env as stored (image env merged with user env); compare as a map. May hold secrets. */
  env: Record<string, string>;
  /** Keyed and compared by target; order is msb's, not meaningful. */
  mounts: MountSpec[];
  ports: PortSpec[];
  idleTimeoutSecs: number | null;
  maxDurationSecs: number | null;
  server: ServerHealth;
  /**
   * The engine's own id, when names are not its key (OpenSandbox: a UUID; the name is metadata). Absent on msb.
   * Two sandboxes may then carry the same name: the planner sees both.
   */
  id?: string;
  /** Digests recorded when owctl made the sandbox, per field group the engine cannot report (label syntax). */
  digests?: Record<string, string>;
  /** Set only on a Stopped sandbox that msb's own idle-timeout or max-duration drain stopped ("asleep"). */
  stoppedBy?: StopCause;
  /** Egress policy and credentials as the engine reports them (every runtime maps its own answer); absent: not observed. */
  egress?: ObservedEgress;
  /** The server's issued tokens (ids, scopes, labels), read with the host token; absent when not read. */
  access?: ObservedAccess;
}

export interface ObservedImage {
  ref: string;
  digest: string;
  env: Record<string, string>;
  entrypoint: string[];
  cmd: string[];
}

export interface ObservedState {
  /** Backend kind from `msb context` (`local` for any engine owctl reaches directly). */
  backend: 'local' | 'cloud';
  /** What the observed engine can do; absent means microsandbox's description (MSB_CAPABILITIES). */
  capabilities?: BackendCapabilities;
  /** Sandboxes carrying this project's label, plus any sandbox holding a declared name. Sorted by name. */
  sandboxes: ObservedSandbox[];
  /** Declared image refs → cached image facts, or null when the image is not in msb's cache. */
  images: Record<string, ObservedImage | null>;
}
