import type { AccessEntry } from './access.ts';

/**
 * Desired state: what the YAML file declares, validated and normalised. Produced by src/config, consumed by the
 * planner and the executor. Invariants: every host path is absolute and normalised; sizes are MiB; durations are
 * seconds; names satisfy msb's rules; sandboxes are sorted by name.
 */
export type PullPolicy = 'always' | 'if-missing' | 'never';

export interface ImageSpec {
  /** The OCI reference msb resolves, e.g. `openwork-microsandbox:dev`. */
  ref: string;
  /** Absolute path of a local image archive (docker-save or OCI layout tar) to `msb load` when needed. */
  archive?: string;
}

export type MountSpec =
  | { type: 'bind'; source: string; target: string; readonly: boolean }
  | { type: 'volume'; source: string; target: string; readonly: boolean }
  | { type: 'tmpfs'; target: string; sizeMib?: number };

export interface PortSpec {
  host: number;
  guest: number;
  /** Host bind address; msb's default is 127.0.0.1. */
  bind: string;
  protocol: 'tcp' | 'udp';
}

/** Tokens are secrets: they never appear in output, logs, plan files or argv. */
export interface TokenSpec {
  client: string;
  host: string;
  /** Guest env variable names (default OPENWORK_TOKEN / OPENWORK_HOST_TOKEN). */
  clientEnv: string;
  hostEnv: string;
}

export interface VerifySpec {
  /** Seconds to wait for /health (default 120). */
  timeoutSecs: number;
  /** Host a remote client connects to (default 127.0.0.1). */
  connectHost: string;
}

export type EgressAction = 'allow' | 'deny';
export type NetworkProtocol = 'tcp' | 'udp';
/** What a runtime does when the guest sends a credential to a host it is not for (msb's `--on-secret-violation`). */
export type OnViolation = 'block' | 'block-and-log' | 'block-and-terminate' | 'passthrough';
/** owctl's choice when the file names none: the request is refused and the attempt recorded. */
export const DEFAULT_ON_VIOLATION: OnViolation = 'block-and-log';

/** One egress rule as the file writes it (`{ allow: api.example.com, ports: [443] }`). First match wins. */
export interface NetworkRule {
  action: EgressAction;
  /** A host name, `*.suffix`, an IP, a CIDR or a runtime group (`public`, `private`, …); see `targetKind`. */
  target: string;
  /** Destination ports, sorted, without repeats; empty = every port. */
  ports: number[];
  /** Set only when the file sets it; a rule with ports is tcp unless it says udp. */
  protocol?: NetworkProtocol;
}

/**
 * The file's `network` block. Absent from DesiredSandbox when the file has none: the runtime's default applies.
 * `egress`/`rules` absent: the file declares no policy (only `on_violation`), and the runtime's default applies.
 */
export interface NetworkSpec {
  egress?: EgressAction;
  rules?: NetworkRule[];
  onViolation?: OnViolation;
}

/**
 * A credential held on the host: the guest variable (its key in `credentials`) holds a placeholder, and the runtime
 * puts `value` into requests to `hosts` only. `value` is a secret: never shown, stored in a label or put on argv.
 */
export interface CredentialSpec {
  value: string;
  /** Host names or `*.suffix`, as written. */
  hosts: string[];
  /** HTTP header that carries the value, for runtimes that inject headers themselves (OpenSandbox). */
  header?: string;
}

export interface DesiredSandbox {
  name: string;
  image: ImageSpec;
  pull: PullPolicy;
  cpus: number;
  memoryMib: number;
  mounts: MountSpec[];
  ports: PortSpec[];
  tokens: TokenSpec;
  /** Env from the file (no tokens; tokens are added under their env names by `guestEnv`). */
  env: Record<string, string>;
  /**
   * Keys of `env` whose values are secret: marked `sensitive: true` in the file, or equal to a secret the file
   * holds (a token reused as a password). Sorted. Their values are never shown, stored in a label or put on argv.
   */
  sensitiveEnv: string[];
  /** User labels (owctl's own `owctl.dev/*` labels are added by the executor). */
  labels: Record<string, string>;
  /** Workload command; undefined = the image's ENTRYPOINT + CMD. */
  command?: string[];
  idleTimeoutSecs?: number;
  maxDurationSecs?: number;
  protect: boolean;
  verify: VerifySpec;
  /** Guest port the OpenWork server listens on (`server.port`, default 8787). */
  serverPort: number;
  /** Guest variable that tells the server its port (`server.port_env`); set in `env` when the port is not 8787. */
  serverPortEnv: string;
  /** Egress policy; undefined = the file has no `network` block (the runtime's default applies). */
  network?: NetworkSpec;
  /** Host-held credentials by guest variable, keys sorted; undefined when the file declares none. */
  credentials?: Record<string, CredentialSpec>;
  /** People with their own token (`access:`), sorted by person; absent or empty: none. */
  access?: AccessEntry[];
}

/**
 * The engine the file's sandboxes run on. `apiKey` is a secret: it reaches only the HTTP client's request header,
 * never output, logs, plan files, labels or argv.
 */
export type BackendSpec =
  | { type: 'msb' }
  | { type: 'opensandbox'; url: string; apiKey?: string; renewOnAccess: boolean; requestTimeoutSecs: number };

export interface DesiredState {
  /** Absolute path of the YAML file. */
  file: string;
  /** Folder of the YAML file: relative host paths resolve against it. */
  dir: string;
  project: string;
  sandboxes: DesiredSandbox[];
  /** Absent: the local microsandbox. */
  backend?: BackendSpec;
}

/** The env a sandbox's guest gets: the file's env plus the two tokens under their configured names. */
export function guestEnv(sandbox: DesiredSandbox): Record<string, string> {
  return {
    ...sandbox.env,
    [sandbox.tokens.clientEnv]: sandbox.tokens.client,
    [sandbox.tokens.hostEnv]: sandbox.tokens.host,
  };
}

/** Whether the file declares an egress policy (else the runtime's default applies). */
export function declaresEgressPolicy(sandbox: Pick<DesiredSandbox, 'network'>): boolean {
  return sandbox.network?.egress !== undefined || sandbox.network?.rules !== undefined;
}

/** The violation action owctl asks for: the file's, else block-and-log. */
export function onViolation(sandbox: Pick<DesiredSandbox, 'network'>): OnViolation {
  return sandbox.network?.onViolation ?? DEFAULT_ON_VIOLATION;
}

/** The sandbox's credentials (none: an empty record). */
export function credentialsOf(sandbox: Pick<DesiredSandbox, 'credentials'>): Record<string, CredentialSpec> {
  return sandbox.credentials ?? {};
}

/** Env keys whose values are secret (rendered as `(sensitive value)`): the token variables and sensitive env. */
export function secretEnvKeys(sandbox: DesiredSandbox): Set<string> {
  return new Set([sandbox.tokens.clientEnv, sandbox.tokens.hostEnv, ...sandbox.sensitiveEnv]);
}
