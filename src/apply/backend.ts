/**
 * The seam between owctl and a sandbox engine. Each engine (src/msb/, src/opensandbox/) implements `Backend` in its
 * own folder, the only code that talks to it; the commands hand it to observe and, as a `Runtime`, to the
 * executor. What it can do is data (`capabilities`), which the pure planner reads; no file of the planner or the
 * executor imports a backend.
 */
import type { BackendCapabilities } from '../model/capabilities.ts';
import type { DesiredSandbox, DesiredState } from '../model/desired.ts';
import type { ObservedSandbox, ObservedState, ServerHealth } from '../model/observed.ts';
import type { OwctlError } from '../errors.ts';
import type { Runtime, VerifyStepReport as VerifyStepResult } from './runtime.ts';

/** Where a client reaches a sandbox's OpenWork server: a base URL, plus headers the engine's gateway needs. */
export interface ServerAddress {
  url: string;
  headers: Record<string, string>;
}

export interface ObserveRequest {
  /** Most engine calls (and probes) in flight at once. */
  parallelism: number;
  /** Health of the OpenWork server of a Running sandbox; a probe that throws counts as `down`. */
  probe?: (sandbox: ObservedSandbox, address: ServerAddress) => Promise<ServerHealth>;
}

/** A running `logs` read: output arrives through `onData`; `done` settles when it ends. */
export interface LogReader {
  done: Promise<void>;
  stop(): void;
}

export interface Backend extends Omit<Runtime, 'verify'> {
  readonly capabilities: BackendCapabilities;
  /** One read-only snapshot of this project's sandboxes and of every declared name (ObservedState, never wire shapes). */
  observe(desired: DesiredState, request: ObserveRequest): Promise<ObservedState>;
  stop(name: string, instance?: string): Promise<void>;
  /** Where the server of a live sandbox answers; null when it publishes none. Verification goes there. */
  serverAddress(sandbox: DesiredSandbox | ObservedSandbox, instance?: string): Promise<ServerAddress | null>;
  /**
   * Resolves with the engine's error once it reports the sandbox dead (its command exited), polling until `signal`
   * aborts (then undefined): verification stops waiting for a server that cannot come. Absent: the engine cannot tell.
   */
  downReason?(name: string, instance: string | undefined, signal: AbortSignal): Promise<OwctlError | undefined>;
  /** Whether this host can boot sandboxes (asked only when a plan would boot one); absent when that is not a question. */
  canBoot?(): Promise<boolean>;
  /** Whether an image registry (`host[:port]`) answers from here; null when that cannot be judged; absent when the engine pulls elsewhere. */
  registryAnswers?(registry: string): Promise<boolean | null>;
  /** Guest environment variables of a running sandbox (null: unset); absent when the engine cannot read them. */
  readGuestVariables?(name: string, keys: string[], instance?: string): Promise<Record<string, string | null>>;
  /**
   * A verification step of what the engine holds for the sandbox beyond its server (OpenSandbox: the Credential
   * Vault lists each declared credential); undefined when there is nothing to check. Absent on engines without one.
   */
  verifyCredentials?(sandbox: DesiredSandbox, instance?: string): Promise<VerifyStepResult | undefined>;
  /** owctl's own labels (msb) or metadata (OpenSandbox) of a live sandbox, as stored now; null when it does not exist. */
  readLabels?(name: string, instance?: string): Promise<Record<string, string> | null>;
  /**
   * Sets (value) and deletes (null) owctl labels of a live sandbox without restarting it: the access record. msb
   * saves them for the next start of a running VM, where they are read back at once; OpenSandbox patches metadata.
   */
  writeLabels?(name: string, patch: Record<string, string | null>, instance?: string): Promise<void>;
  /** The server's output; absent when the engine has no log API. */
  logs?(name: string, options: { tail: number; follow: boolean; onData: (text: string) => void }): LogReader;
}
