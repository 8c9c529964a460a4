/** The verification steps, in the order they run. */
export const VERIFY_STEPS = ['health', 'unauthorized', 'default-tokens', 'authorized', 'session', 'events', 'host-token', 'credentials', 'credential-vault'] as const;
export type VerifyStepName = (typeof VERIFY_STEPS)[number];

import type { HintTerms } from './hints.ts';

/** Where and with which credentials to verify. Tokens never appear in results, messages or URLs. */
export interface VerifyTarget {
  /** e.g. `http://127.0.0.1:8787` (a trailing slash is ignored). */
  baseUrl: string;
  clientToken: string;
  hostToken: string;
  /** Bound on waiting for /health to answer 200. */
  timeoutSecs: number;
  /** Headers every request carries (an engine's gateway may route by them, e.g. OpenSandbox's ingress header). */
  headers?: Record<string, string>;
  /** The workspace to verify (from a `…/w/<id>` URL); default: the first one the server lists. */
  workspaceId?: string;
  /** How hints name the token sources and settings (default: the file's). */
  terms?: HintTerms;
  /** Names this verification's OpenCode session (`owctl-verify-<runId>`); default: a fresh one. */
  runId?: string;
  /** The clock that tells a left-behind verification session from one still in use (default: Date.now). */
  nowMs?: () => number;
  /** Host-held credentials to check in the guest (the `credentials` step runs only when set). */
  credentials?: GuestCredentials;
}

/**
 * What the `credentials` step reads: each credential's guest variable must hold the runtime's placeholder, never the
 * value. `values` are secrets (redacted from every result); `read` answers the guest's variables (null: unset).
 */
export interface GuestCredentials {
  /** Guest variable → the placeholder it must hold. */
  placeholders: Record<string, string>;
  values: string[];
  read(names: string[]): Promise<Record<string, string | null>>;
  /** Shown as the step's URL: where the variables were read (e.g. `msb exec alice`). */
  where: string;
}

/**
 * Called every few seconds while a step waits (for /health, for OpenCode's session): the step, what it waits for,
 * what the last attempt got, how long it has waited, and the bound.
 */
export type WaitingListener = (note: { step: VerifyStepName; what: string; url: string; last: string; waitedSecs: number; timeoutSecs: number }) => void;

/**
 * One step's outcome. `url` is the request that decided it (the failing one on failure), without credentials;
 * `message` and `hint` are set on failure (and `message` on success when something is worth noting).
 */
export interface VerifyStepResult {
  step: VerifyStepName;
  ok: boolean;
  durationMs: number;
  url: string;
  status?: number;
  message?: string;
  hint?: string;
  /** The error code of a failure that is not an ordinary `verify.failed` (`verify.public_token`). */
  code?: string;
}

/** `failed` is the last step when it failed; steps stop at the first failure. */
export interface VerifyResult {
  ok: boolean;
  steps: VerifyStepResult[];
  failed?: VerifyStepResult;
}
