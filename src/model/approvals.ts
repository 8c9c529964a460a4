/**
 * Pending approvals: with OPENWORK_APPROVAL_MODE manual (the OpenWork server's default), the server holds a client's
 * write (a file, a plugin, the config) until a host replies or OPENWORK_APPROVAL_TIMEOUT_MS passes. These types are
 * owctl's view of them, whatever the wire shape; no token or token hash is ever part of them.
 */

export interface PendingApproval {
  /** The server's id (a UUID), what `owctl approvals allow|deny NAME ID` takes. */
  id: string;
  /** What is asked, as the server names it (`workspace.file.write`, `plugins.add`, …). */
  action: string;
  /** One line for people (`Write notes/plan.md`). */
  summary: string;
  /** Guest paths the request would write. */
  paths: string[];
  workspaceId: string | null;
  /** When the server raised it (epoch milliseconds). */
  createdAtMs: number | null;
  /** The scope of the client that asked (`collaborator`, `owner`), when the server says. */
  actorScope: string | null;
}

/**
 * One declared sandbox's answer: `answered` with its approvals, or why there is no answer — never created, not
 * another project's, not running, no address, the server unreachable, or the host token refused. Every state but `answered` is a failure.
 */
export type ApprovalsState = 'answered' | 'not_created' | 'not_ours' | 'not_running' | 'no_address' | 'unreachable' | 'refused' | 'bad_answer';

export interface SandboxApprovals {
  sandbox: string;
  state: ApprovalsState;
  /** The server's URL that was asked (no credentials), when there is one. */
  url: string | null;
  /** Why there is no answer (set unless `answered`). */
  message?: string;
  hint?: string;
  approvals: PendingApproval[];
}

/** Oldest first, then by id: the order in which an operator should answer them. */
export function sortApprovals(approvals: readonly PendingApproval[]): PendingApproval[] {
  return [...approvals].sort((a, b) => (a.createdAtMs ?? 0) - (b.createdAtMs ?? 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export function allAnswered(results: readonly SandboxApprovals[]): boolean {
  return results.every((result) => result.state === 'answered');
}
