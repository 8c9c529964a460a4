/**
 * `owctl approvals` as JSON (schemas/approvals.schema.json) and for people. The human view is rendered from the
 * JSON document, so the two cannot disagree. Text the server wrote (summaries, paths, ids) is sanitised before a
 * terminal sees it: no known secret, no terminal control.
 */
import type { PendingApproval, SandboxApprovals } from '../model/approvals.ts';
import { sanitize } from '../secrets/relay.ts';
import { style } from './style.ts';
import { renderTable } from './table.ts';

export const APPROVALS_FORMAT = '1.0';

export interface ApprovalJson {
  id: string;
  action: string;
  summary: string;
  paths: string[];
  workspace_id: string | null;
  created_at: string | null;
  actor_scope: string | null;
}

export interface SandboxApprovalsJson {
  sandbox: string;
  state: SandboxApprovals['state'];
  url: string | null;
  message?: string;
  hint?: string;
  approvals: ApprovalJson[];
}

export interface ApprovalsDocument {
  format_version: string;
  project: string;
  pending: number;
  sandboxes: SandboxApprovalsJson[];
}

export interface ReplyDocument {
  format_version: string;
  sandbox: string;
  id: string;
  reply: 'allow' | 'deny';
  allowed: boolean;
  action: string;
  summary: string;
}

function approvalJson(approval: PendingApproval): ApprovalJson {
  return {
    id: approval.id,
    action: approval.action,
    summary: approval.summary,
    paths: approval.paths,
    workspace_id: approval.workspaceId,
    created_at: approval.createdAtMs === null ? null : new Date(approval.createdAtMs).toISOString(),
    actor_scope: approval.actorScope,
  };
}

export function approvalsDocument(project: string, results: readonly SandboxApprovals[]): ApprovalsDocument {
  const sandboxes = [...results]
    .sort((a, b) => (a.sandbox < b.sandbox ? -1 : a.sandbox > b.sandbox ? 1 : 0))
    .map((r) => ({ sandbox: r.sandbox, state: r.state, url: r.url, ...(r.message ? { message: r.message } : {}), ...(r.hint ? { hint: r.hint } : {}), approvals: r.approvals.map(approvalJson) }));
  return { format_version: APPROVALS_FORMAT, project, pending: sandboxes.reduce((n, s) => n + s.approvals.length, 0), sandboxes };
}

/** `3m ago`, `2h ago`: how long an approval has waited. */
export function age(createdAt: string | null, nowMs: number): string {
  if (createdAt === null) return '-';
  const secs = Math.max(0, Math.round((nowMs - Date.parse(createdAt)) / 1000));
  if (secs < 60) return `${secs}s ago`;
  if (secs < 3600) return `${Math.floor(secs / 60)}m ago`;
  return `${Math.floor(secs / 3600)}h${String(Math.floor((secs % 3600) / 60)).padStart(2, '0')}m ago`;
}

export function renderApprovals(doc: ApprovalsDocument, options: { color: boolean; nowMs: number; secrets: readonly string[] }): string {
  const s = style(options.color);
  const clean = (text: string) => sanitize(text, options.secrets).replace(/\n/g, ' ');
  const rows = doc.sandboxes.flatMap((sandbox) =>
    sandbox.approvals.map((a) => [sandbox.sandbox, clean(a.id), clean(a.action), clean(a.summary), a.created_at === null ? '-' : `${a.created_at.slice(0, 19)}Z (${age(a.created_at, options.nowMs)})`]),
  );
  let out = rows.length > 0 ? renderTable(['SANDBOX', 'ID', 'ACTION', 'WHAT', 'SINCE'], rows) : '';
  const quiet = doc.sandboxes.filter((x) => x.state === 'answered' && x.approvals.length === 0).map((x) => x.sandbox);
  if (quiet.length > 0) out += `${rows.length > 0 ? '\n' : ''}No pending approvals: ${quiet.join(', ')}\n`;
  for (const failed of doc.sandboxes.filter((x) => x.state !== 'answered')) {
    out += `${s.red(`${failed.sandbox}: ${clean(failed.message ?? failed.state)}`)}\n${failed.hint ? `  hint: ${failed.hint}\n` : ''}`;
  }
  if (rows.length > 0) out += `\nAnswer with: owctl approvals allow|deny SANDBOX ID\n`;
  return out;
}

export function renderReply(doc: ReplyDocument, secrets: readonly string[]): string {
  const what = doc.summary === '' ? '' : ` (${sanitize(doc.summary, secrets).replace(/\n/g, ' ')})`;
  return `${doc.sandbox}: ${doc.allowed ? 'allowed' : 'denied'} ${sanitize(doc.id, secrets)}${what}; the server confirmed it\n`;
}
