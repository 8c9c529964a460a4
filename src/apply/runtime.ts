/**
 * The operations the executor performs, as one interface: msb calls, host folders, verification. The executor
 * depends on this, not on msb or undici, so its ordering and failure handling are testable on their own.
 */
import type { AccessScope } from '../model/access.ts';
import type { CredentialSpec, DesiredSandbox } from '../model/desired.ts';
import type { ObservedImage } from '../model/observed.ts';

/** An in-place change. Env values may be secret: the runtime must keep them off argv. */
export interface ModifyPatch {
  cpus?: number;
  memoryMib?: number;
  env: Record<string, string>;
  envRemove: string[];
  labels: Record<string, string>;
  labelRemove: string[];
  /** A longer max_duration, on engines that renew an expiry in place. */
  maxDurationSecs?: number;
  /** Credentials to add, rotate or give other hosts, and to remove (by guest variable). */
  secrets?: string[];
  secretRemove?: string[];
  /** Set when a credential changes: every credential the sandbox holds afterwards (values are secret). */
  credentials?: Record<string, CredentialSpec>;
}

/** Verification results (type-only import: the executor never loads the HTTP client). */
export type { VerifyResult as VerifyReport, VerifyStepResult as VerifyStepReport } from '../verify/types.ts';
import type { VerifyResult, VerifyStepResult, WaitingListener } from '../verify/types.ts';

/**
 * `instance` names one live sandbox when the engine's key is not the name (OpenSandbox ids, from the plan's
 * `instances`); runtimes keyed by name ignore it. `create` answers the new sandbox's instance, when it has one.
 */
export interface Runtime {
  inspectImage(ref: string): Promise<ObservedImage | null>;
  loadImage(archive: string, ref: string): Promise<void>;
  pullImage(ref: string): Promise<void>;
  /** Digest of the image inside a local archive, to tell whether the cached ref is that image. */
  archiveDigest(archive: string): Promise<string | null>;
  /** Creates missing bind folders; answers those it created (engines without host folders: nothing). */
  prepareMounts(sandbox: DesiredSandbox): Promise<string[] | void>;
  /** Throws when a host port the sandbox publishes is taken by anything but the sandbox it replaces (engines that publish host ports). */
  checkPorts?(sandbox: DesiredSandbox): Promise<void>;
  create(sandbox: DesiredSandbox, labels: Record<string, string>): Promise<string | void>;
  remove(name: string, instance?: string): Promise<void>;
  start(name: string, instance?: string): Promise<void>;
  stop(name: string, instance?: string): Promise<void>;
  modify(name: string, patch: ModifyPatch, options: { restart: boolean }, instance?: string): Promise<void>;
  launchServer(name: string, argv: string[]): Promise<void>;
  /** Asks a running sandbox's server to stop before its VM goes (bounded); resolves to a line for progress output. */
  stopServer(name: string): Promise<string>;
  /**
   * Create-first replacement, after the new sandbox verified and before the old ones go: re-reads the new sandbox and
   * throws unless the engine proves the verified server was the new one (it runs, at an address none of `old` has).
   */
  confirmReplacement?(name: string, created: string, old: readonly string[]): Promise<void>;
  /** `onWaiting` hears, every few seconds, what a verification step is waiting for. */
  verify(sandbox: DesiredSandbox, onStep: (step: VerifyStepResult) => void, signal: AbortSignal, instance?: string, onWaiting?: WaitingListener): Promise<VerifyResult>;
  /** Per-person tokens through the server's /tokens routes (`access:`); absent where nothing provides them. */
  access?: AccessRuntime;
}

/** A token value taken out of service, held only to prove the server refuses it once revoked; opaque here. */
export interface RetiredToken {
  readonly person: string;
}

/** The token operations, through the server's address for the sandbox. Values never reach the executor. */
export interface AccessRuntime {
  /** Issues `person` a token, writes its value to their file; answers its id and the value it replaced, if any. */
  issue(sandbox: DesiredSandbox, person: string, scope: AccessScope, instance?: string): Promise<{ id: string; retired: RetiredToken | null }>;
  /** Proves the person's token answers with `scope`; resolves to a note (e.g. no value on this machine). */
  check(sandbox: DesiredSandbox, person: string, scope: AccessScope, instance?: string): Promise<string | undefined>;
  /**
   * Revokes `ids`; proves `retired` (or, for `forget`, the value in that person's file) now gets 401; with `forget`,
   * deletes that person's file. Resolves to a note.
   */
  revoke(sandbox: DesiredSandbox, ids: string[], retired: RetiredToken | null, instance?: string, forget?: string): Promise<string | undefined>;
  /**
   * Rewrites owctl's record on the sandbox (labels or metadata: per person the scope and id of the current token and
   * a salted digest of its value) from the server's list; resolves to a note.
   */
  record(sandbox: DesiredSandbox, instance?: string): Promise<string | undefined>;
}
