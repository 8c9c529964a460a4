/**
 * The plan: plain data, produced by the pure planner (src/plan) and consumed by every view and by the executor.
 * Invariants: `changes` is sorted by sandbox name and holds one entry per sandbox (declared or owned); no value in
 * it is secret (sensitive values are replaced by SENSITIVE before they get here).
 */
import type { SandboxStatus, StopCause } from './observed.ts';
import type { AccessScope } from './access.ts';

export type Action = 'create' | 'update' | 'replace' | 'delete' | 'start' | 'noop';
export const ACTIONS: readonly Action[] = ['create', 'update', 'replace', 'delete', 'start', 'noop'];

/** Rendered in place of any secret value. */
export const SENSITIVE = '(sensitive value)';

export type { Disposition } from './capabilities.ts';
import type { Disposition } from './capabilities.ts';

/** Whether a difference comes from the file or from a change made outside owctl (drift). */
export type Origin = 'file' | 'outside';

export interface FieldChange {
  /** The file's key path, e.g. `resources.memory`, `env.FOO`, `mounts[/workspace]`, `ports[8787]`. */
  path: string;
  /** Display values (strings, numbers, small objects); null = absent. SENSITIVE for secrets. */
  before: unknown;
  after: unknown;
  sensitive: boolean;
  disposition: Disposition;
  origin: Origin;
  /** Why the change lands as it does, where the engine says (e.g. which API changes it in place). */
  reason?: string;
}

export interface Change {
  sandbox: string;
  action: Action;
  /** One line saying why, in Terraform's voice: "will be created", "must be replaced", … */
  reason: string;
  fields: FieldChange[];
  /** Number of compared attributes that did not change (folded in human output). */
  unchanged: number;
  /** update only: applying it restarts the running VM. */
  restart: boolean;
  /** The executor must (re)start the workload after the action (create/replace/start, or update of a stopped VM). */
  start: boolean;
  /** The sandbox is protected and this change would delete or replace it: apply refuses. */
  blocked: boolean;
  /** Live status before the change (absent for create). */
  status?: SandboxStatus;
  /** replace only: the new sandbox is created and verified before the old one is deleted (its address changes). */
  create_first?: boolean;
  /** The engine ids of the live sandboxes carrying this name, the compared one first (engines without unique names). */
  instances?: string[];
  /** More than one live sandbox carries this name: apply keeps the first of `instances` that verifies, deletes the others. */
  heal?: boolean;
  /** noop only: msb's own idle-timeout or max-duration policy stopped it; in sync, `apply --wake` starts it. */
  asleep?: StopCause;
  /** Token changes (`access:`), applied through the server after the sandbox verified. Sorted by person. */
  access?: AccessOp[];
}

/** Why an access operation is planned. */
export type AccessCause = 'added' | 'removed' | 'scope' | 'rotate' | 'store_lost' | 'earlier_boot' | 'record';

/**
 * One person's token change, carried out in this order: issue a token of `issue` scope, write its value to the
 * person's file, verify it answers with that scope, then revoke `revoke` (ids; never values) and prove each gets 401.
 * No moment without a working token. Without `person`: the image's owner tokens from earlier boots, or (`record`)
 * nothing but rewriting owctl's record on the sandbox from the server's list. Every operation ends by rewriting it.
 */
export interface AccessOp {
  person?: string;
  issue?: AccessScope;
  revoke: string[];
  cause: AccessCause;
}

export interface Conflict {
  sandbox: string;
  message: string;
  /** Project label of the holder, if any. */
  owner: string | null;
}

export interface Plan {
  project: string;
  changes: Change[];
  conflicts: Conflict[];
  summary: Record<Action, number>;
}

export function hasChanges(plan: Plan): boolean {
  return plan.changes.some((change) => change.action !== 'noop');
}
