/**
 * The OpenWork server's approval routes, as a host uses them: `GET /approvals` lists the pending ones as `{items}`,
 * `POST /approvals/{id} {"reply":"allow"|"deny"}` answers one (`{ok, allowed}`; 404 `approval_not_found` when it
 * is not pending: answered, timed out, or never raised). Both take the host token in `X-OpenWork-Host-Token`, never
 * on a command line and never in a result. Wire items are normalised here into PendingApproval.
 */
import type { ApprovalsState, PendingApproval } from '../model/approvals.ts';
import { errorCodeOf, HttpClient, type HttpOutcome, parseJson } from './http.ts';

const REQUEST_TIMEOUT_MS = 10_000;

/** Where the server answers: its base URL and the headers its gateway needs. */
export interface ApprovalsEndpoint {
  url: string;
  headers: Record<string, string>;
  hostToken: string;
}

export interface ApprovalsFailure {
  kind: 'failed';
  state: Extract<ApprovalsState, 'unreachable' | 'refused' | 'bad_answer'>;
  message: string;
  hint: string;
}

export type ListAnswer = { kind: 'ok'; approvals: PendingApproval[] } | ApprovalsFailure;
export type ReplyAnswer = { kind: 'ok'; allowed: boolean } | { kind: 'not_found' } | ApprovalsFailure;

async function ask(endpoint: ApprovalsEndpoint, path: string, json: unknown, signal?: AbortSignal): Promise<HttpOutcome> {
  const http = new HttpClient([endpoint.hostToken], endpoint.headers);
  try {
    const headers = { 'x-openwork-host-token': endpoint.hostToken };
    const method = json === undefined ? 'GET' : 'POST';
    return await http.send(`${endpoint.url.replace(/\/+$/, '')}${path}`, { method, headers, json, timeoutMs: REQUEST_TIMEOUT_MS, signal });
  } finally {
    await http.close();
  }
}

/** What a request that got no usable answer means. `what` names the request (`GET /approvals`). */
function failure(outcome: HttpOutcome, what: string): ApprovalsFailure {
  if (outcome.kind === 'failure') {
    return { kind: 'failed', state: 'unreachable', message: `${what}: ${outcome.message}`, hint: 'the server does not answer: `owctl status` shows whether it is up, `owctl verify NAME` which check fails' };
  }
  const code = errorCodeOf(outcome.body);
  const status = `${what} answered HTTP ${outcome.status}${code ? ` (${code})` : ''}`;
  if (outcome.status === 401 || outcome.status === 403) {
    return { kind: 'failed', state: 'refused', message: `${status}: the server refused the host token`, hint: 'the server holds a different host token: check tokens.host, then run `owctl apply` to re-create the sandbox with it' };
  }
  return { kind: 'failed', state: 'bad_answer', message: status, hint: 'the server failed to answer as an OpenWork server does: check its log with `owctl logs NAME`' };
}

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

function approvalOf(item: unknown): PendingApproval | null {
  const raw = item as { id?: unknown; action?: unknown; summary?: unknown; paths?: unknown; workspaceId?: unknown; createdAt?: unknown; actor?: { scope?: unknown } } | null;
  const id = text(raw?.id);
  if (raw === null || typeof raw !== 'object' || id === null || id === '') return null;
  return {
    id,
    action: text(raw.action) ?? '',
    summary: text(raw.summary) ?? '',
    paths: Array.isArray(raw.paths) ? raw.paths.filter((p): p is string => typeof p === 'string') : [],
    workspaceId: text(raw.workspaceId),
    createdAtMs: typeof raw.createdAt === 'number' && Number.isFinite(raw.createdAt) ? raw.createdAt : null,
    // The actor also carries a hash of the client's token: only its scope is kept.
    actorScope: text(raw.actor?.scope),
  };
}

export async function listApprovals(endpoint: ApprovalsEndpoint, signal?: AbortSignal): Promise<ListAnswer> {
  const outcome = await ask(endpoint, '/approvals', undefined, signal);
  if (outcome.kind === 'failure' || outcome.status !== 200) return failure(outcome, 'GET /approvals');
  const items = (parseJson(outcome.body) as { items?: unknown } | undefined)?.items;
  if (!Array.isArray(items)) return { kind: 'failed', state: 'bad_answer', message: 'GET /approvals answered 200 without an `items` list', hint: 'this is not an OpenWork server, or an unknown version of it: check the image' };
  const approvals = items.map(approvalOf);
  if (approvals.some((a) => a === null)) return { kind: 'failed', state: 'bad_answer', message: 'GET /approvals listed an item without an id', hint: 'check the image version' };
  return { kind: 'ok', approvals: approvals as PendingApproval[] };
}

export async function replyApproval(endpoint: ApprovalsEndpoint, id: string, reply: 'allow' | 'deny', signal?: AbortSignal): Promise<ReplyAnswer> {
  const outcome = await ask(endpoint, `/approvals/${encodeURIComponent(id)}`, { reply }, signal);
  if (outcome.kind === 'answer' && outcome.status === 404 && errorCodeOf(outcome.body) === 'approval_not_found') return { kind: 'not_found' };
  if (outcome.kind === 'failure' || outcome.status !== 200) return failure(outcome, `POST /approvals/${id}`);
  const allowed = (parseJson(outcome.body) as { allowed?: unknown } | undefined)?.allowed;
  if (typeof allowed !== 'boolean') return { kind: 'failed', state: 'bad_answer', message: `POST /approvals/${id} answered 200 without saying whether it is allowed`, hint: 'check the image version' };
  return { kind: 'ok', allowed };
}
