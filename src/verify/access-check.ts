/**
 * Proofs about one person's token, as that person's client would see them: it answers with its declared scope
 * (`GET /whoami`) and reads `/workspaces`; a viewer's write through the proxy is refused (403); a revoked token gets
 * 401. Returns a failure message, or null; never a value or a response body.
 */
import type { AccessScope } from '../model/access.ts';
import { errorCodeOf, HttpClient, parseJson } from './http.ts';

const TIMEOUT_MS = 10_000;
const SESSION_TIMEOUT_MS = 30_000;

export interface ClientEndpoint {
  url: string;
  headers: Record<string, string>;
}

async function using<T>(endpoint: ClientEndpoint, token: string, body: (http: HttpClient, base: string, auth: Record<string, string>) => Promise<T>): Promise<T> {
  const http = new HttpClient([token], endpoint.headers);
  try {
    return await body(http, endpoint.url.replace(/\/+$/, ''), { authorization: `Bearer ${token}` });
  } finally {
    await http.close();
  }
}

/** null when the token answers with `scope`, reads the workspaces, and (a viewer) cannot write. */
export async function checkTokenScope(endpoint: ClientEndpoint, token: string, scope: AccessScope): Promise<string | null> {
  return using(endpoint, token, async (http, base, auth) => {
    const whoami = await http.send(`${base}/whoami`, { headers: auth, timeoutMs: TIMEOUT_MS });
    if (whoami.kind !== 'answer') return `GET /whoami: ${whoami.message}`;
    if (whoami.status !== 200) return `GET /whoami answered HTTP ${whoami.status}${errorCodeOf(whoami.body) ? ` (${errorCodeOf(whoami.body)})` : ''}: the server does not take the token`;
    const actual = (parseJson(whoami.body) as { actor?: { scope?: unknown } } | undefined)?.actor?.scope;
    if (actual !== scope) return `the token acts as ${typeof actual === 'string' ? actual : 'an unknown scope'}, not ${scope}`;
    const list = await http.send(`${base}/workspaces`, { headers: auth, timeoutMs: TIMEOUT_MS });
    if (list.kind !== 'answer') return `GET /workspaces: ${list.message}`;
    if (list.status !== 200) return `GET /workspaces answered HTTP ${list.status}: the token cannot read`;
    if (scope !== 'viewer') return null;
    // The body carries OpenCode credentials: read the id and drop the rest.
    const id = (parseJson(list.body) as { items?: Array<{ id?: unknown }> } | undefined)?.items?.[0]?.id;
    if (typeof id !== 'string' || id === '') return 'the server lists no workspace to prove the viewer cannot write to';
    const root = `${base}/w/${encodeURIComponent(id)}/opencode/session`;
    const write = await http.send(root, { method: 'POST', json: { title: 'owctl verify (viewer must be refused)' }, headers: auth, timeoutMs: SESSION_TIMEOUT_MS });
    if (write.kind !== 'answer') return `POST /w/${id}/opencode/session: ${write.message}`;
    if (write.status === 403) return null;
    if (write.status >= 200 && write.status < 300) {
      const created = (parseJson(write.body) as { id?: unknown } | undefined)?.id;
      if (typeof created === 'string') await http.send(`${root}/${encodeURIComponent(created)}`, { method: 'DELETE', headers: auth, timeoutMs: TIMEOUT_MS });
      return 'a viewer token created an OpenCode session: the server does not hold it to read-only';
    }
    return `a viewer's write answered HTTP ${write.status}, not 403`;
  });
}

/** null when the server refuses the token with 401 (revoked). */
export async function checkRevoked(endpoint: ClientEndpoint, token: string): Promise<string | null> {
  return using(endpoint, token, async (http, base, auth) => {
    const answer = await http.send(`${base}/workspaces`, { headers: auth, timeoutMs: TIMEOUT_MS });
    if (answer.kind !== 'answer') return `GET /workspaces: ${answer.message}`;
    return answer.status === 401 ? null : `a revoked token still answers HTTP ${answer.status} on /workspaces`;
  });
}
