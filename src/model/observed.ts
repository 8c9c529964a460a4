/**
 * Observed state: one read-only snapshot of live microsandbox state, normalised from `msb ls` / `msb inspect` /
 * `msb image inspect` by src/msb. The planner compares DesiredState against this and nothing else.
 * Invariant: values use the same units and shapes as DesiredState (MiB, seconds, absolute paths as stored).
 */
import type { ObservedAccess } from './access.ts';
import type { BackendCapabilities } from './capabilities.ts';
import type { EgressAction, MountSpec, OnViolation, PortSpec, PullPolicy } from './desired.ts';
import type { ObservedEgress } from './egress-observed.ts';

export type SandboxStatus = 'Created' | 'Starting' | 'Running' | 'Draining' | 'Paused' | 'Stopped' | 'Crashed';

/** Health of the OpenWork server on a running sandbox, probed during observe (`unknown` when not probed). */
export type ServerHealth = 'up' | 'down' | 'unknown';

/** The lifecycle policy that stopped a sandbox (msb drained it), as opposed to a manual stop or a crash. */
export type StopCause = 'idle_timeout' | 'max_duration';

/**
 * The egress policy and credential references as the engine recorded them. Never a credential's value: engines
 * store only a reference to it (msb: the host variable it reads when the sandbox starts).
 */
export interface ObservedNetwork {
  /** The recorded policy, rules in canonical form (model/network.ts `canonicalRules`); null = none recorded (the runtime's default). */
  policy: { egress: EgressAction; rules: string[] } | null;
  /** null when no credential policy is recorded. */
  onViolation: OnViolation | null;
  /** Credential references by guest variable: the hosts each may be sent to. */
  credentials: Record<string, { hosts: string[] }>;
  /**
   * The runtime intercepts the guest's TLS (where it swaps placeholders for values). msb turns it on only when a
   * sandbox is created with a secret; `msb modify --secret` leaves it as it was (measured with msb 0.6.18).
   */
  interceptsTls: boolean;
}

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
  /** Egress policy and credential references; absent when the engine cannot report them. */
  network?: ObservedNetwork;
  /** Set only on a Stopped sandbox that msb's own idle-timeout or max-duration drain stopped ("asleep"). */
  stoppedBy?: StopCause;
  /** Egress policy and credentials, on engines that report them (else the planner does not compare them here). */
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
