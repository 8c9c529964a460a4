/**
 * The OpenWork server's token routes, as owctl uses them: list (`GET /tokens`: id, scope, label, createdAt; never a
 * value), issue (`POST /tokens {scope, label}` → 201 with the value once), revoke (`DELETE /tokens/{id}`), all with
 * the host token header. A value only ever goes back to the caller; errors carry statuses and codes, never bodies.
 */
import type { AccessScope, ObservedAccess, ObservedToken } from '../model/access.ts';
import { OwctlError } from '../errors.ts';
import { errorCodeOf, HttpClient, parseJson, type HttpOutcome } from './http.ts';

const TIMEOUT_MS = 10_000;

/** A server's base URL, the headers its gateway needs, and the host token. */
export interface TokenEndpoint {
  url: string;
  headers: Record<string, string>;
  hostToken: string;
}

function failure(action: string, outcome: HttpOutcome, hint: string): OwctlError {
  const what = outcome.kind === 'answer' ? `HTTP ${outcome.status}${errorCodeOf(outcome.body) ? ` (${errorCodeOf(outcome.body)})` : ''}` : outcome.message;
  return new OwctlError('access.failed', `${action}: ${what}`, { hint });
}

async function withClient<T>(endpoint: TokenEndpoint, extraSecrets: string[], body: (http: HttpClient, base: string) => Promise<T>): Promise<T> {
  const http = new HttpClient([endpoint.hostToken, ...extraSecrets], endpoint.headers);
  try {
    return await body(http, endpoint.url.replace(/\/+$/, ''));
  } finally {
    await http.close();
  }
}

const host = (endpoint: TokenEndpoint) => ({ 'x-openwork-host-token': endpoint.hostToken });

function tokenOf(item: unknown): ObservedToken | null {
  const t = item as { id?: unknown; scope?: unknown; label?: unknown; createdAt?: unknown } | null;
  if (t === null || typeof t !== 'object' || typeof t.id !== 'string' || typeof t.scope !== 'string') return null;
  return { id: t.id, scope: t.scope, label: typeof t.label === 'string' ? t.label : null, createdAt: typeof t.createdAt === 'number' ? t.createdAt : null };
}

/** The token list and the server's boot time; null when the server does not answer it (down, another host token). */
export async function listTokens(endpoint: TokenEndpoint, timeoutMs = TIMEOUT_MS): Promise<ObservedAccess | null> {
  return withClient(endpoint, [], async (http, base) => {
    const asked = Date.now();
    const [list, health] = await Promise.all([http.send(`${base}/tokens`, { headers: host(endpoint), timeoutMs }), http.send(`${base}/health`, { timeoutMs })]);
    if (list.kind !== 'answer' || list.status !== 200) return null;
    const parsed = parseJson(list.body) as { items?: unknown; tokens?: unknown } | undefined;
    const items = Array.isArray(parsed?.items) ? parsed.items : Array.isArray(parsed?.tokens) ? parsed.tokens : null;
    if (items === null) return null;
    const tokens = items.map(tokenOf).filter((t): t is ObservedToken => t !== null).sort((a, b) => (a.id < b.id ? -1 : 1));
    const uptime = health.kind === 'answer' && health.status === 200 ? (parseJson(health.body) as { uptimeMs?: unknown } | undefined)?.uptimeMs : undefined;
    return { tokens, bootedAt: typeof uptime === 'number' && uptime >= 0 ? asked - uptime : null };
  });
}

/** Issues a token; the value is returned to the caller alone. */
export async function issueToken(endpoint: TokenEndpoint, scope: AccessScope, label: string): Promise<{ id: string; token: string }> {
  return withClient(endpoint, [], async (http, base) => {
    const answer = await http.send(`${base}/tokens`, { method: 'POST', json: { scope, label }, headers: host(endpoint), timeoutMs: TIMEOUT_MS });
    if (answer.kind !== 'answer' || answer.status < 200 || answer.status > 299) throw failure(`issuing a ${scope} token (POST /tokens)`, answer, 'check that the host token is the server\'s (`owctl verify NAME`, step host-token)');
    const parsed = parseJson(answer.body) as { id?: unknown; token?: unknown } | undefined;
    if (typeof parsed?.id !== 'string' || typeof parsed.token !== 'string' || parsed.token === '') {
      throw new OwctlError('access.failed', 'issuing a token (POST /tokens): the answer has no id and value', { hint: 'the server does not speak the OpenWork token API this owctl knows' });
    }
    return { id: parsed.id, token: parsed.token };
  });
}

/** Revokes a token by id; one the server no longer holds counts as revoked. */
export async function revokeToken(endpoint: TokenEndpoint, id: string): Promise<void> {
  await withClient(endpoint, [], async (http, base) => {
    const answer = await http.send(`${base}/tokens/${encodeURIComponent(id)}`, { method: 'DELETE', headers: host(endpoint), timeoutMs: TIMEOUT_MS });
    if (answer.kind === 'answer' && ((answer.status >= 200 && answer.status < 300) || answer.status === 404)) return;
    throw failure(`revoking token ${id} (DELETE /tokens/${id})`, answer, 'run `owctl apply` again: the plan shows what is left to revoke');
  });
}
