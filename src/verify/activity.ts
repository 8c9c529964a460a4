/**
 * When a remote client last used an OpenWork sandbox, read the way a client reads it: GET /workspaces with the client
 * token (first workspace id), then the OpenCode sessions through the proxy; the newest `time.updated` is the last use.
 * Reading is not use: these requests create nothing. owctl's own verification sessions (`owctl-verify-<run id>`) are
 * never counted, and those left behind (created after their run stopped waiting) are deleted here.
 * Published-port traffic never reaches msb's idle monitor, so asking the server is the only way to know.
 */
import { HttpClient, parseJson } from './http.ts';
import { deleteSessions, isLeftoverVerifySession, isVerifySession, listedSessions } from './verify-sessions.ts';

const REQUEST_TIMEOUT_MS = 10_000;

/** `removedVerifySessions`: owctl verification sessions left behind that this read deleted. */
export type ActivityAnswer = { kind: 'known'; lastUsedMs: number | null; removedVerifySessions: number } | { kind: 'unknown'; reason: string };

/**
 * @param nowMs the clock that tells a left-behind verification session (older than LEFTOVER_AFTER_MS) from one whose
 *   verification is still running, which is never deleted
 */
export async function lastClientActivity(baseUrl: string, clientToken: string, signal?: AbortSignal, nowMs = Date.now()): Promise<ActivityAnswer> {
  const http = new HttpClient([clientToken]);
  const headers = { authorization: `Bearer ${clientToken}` };
  try {
    const workspaces = await http.send(`${baseUrl}/workspaces`, { headers, timeoutMs: REQUEST_TIMEOUT_MS, signal });
    if (workspaces.kind === 'failure') return { kind: 'unknown', reason: `GET /workspaces: ${workspaces.message}` };
    if (workspaces.status !== 200) return { kind: 'unknown', reason: `GET /workspaces answered ${workspaces.status}` };
    // The body carries OpenCode credentials: read the id, drop the rest.
    const id = (parseJson(workspaces.body) as { items?: Array<{ id?: unknown }> } | undefined)?.items?.[0]?.id;
    if (typeof id !== 'string' || id === '') return { kind: 'unknown', reason: 'the server lists no workspace' };
    const url = `${baseUrl}/w/${encodeURIComponent(id)}/opencode/session`;
    const sessions = await http.send(url, { headers, timeoutMs: REQUEST_TIMEOUT_MS, signal });
    if (sessions.kind === 'failure') return { kind: 'unknown', reason: `listing OpenCode sessions: ${sessions.message}` };
    if (sessions.status !== 200) return { kind: 'unknown', reason: `listing OpenCode sessions answered ${sessions.status}` };
    const list = parseJson(sessions.body);
    const leftovers = listedSessions(list).filter((s) => isLeftoverVerifySession(s, nowMs));
    const removedVerifySessions = await deleteSessions(http, url, headers, leftovers);
    return { kind: 'known', lastUsedMs: newestUpdate(list), removedVerifySessions };
  } finally {
    await http.close();
  }
}

/** The newest update of a client's session; owctl's verification sessions are not a client's use. */
function newestUpdate(list: unknown): number | null {
  if (!Array.isArray(list)) return null;
  let newest: number | null = null;
  for (const item of list as Array<{ title?: unknown; time?: { updated?: unknown; created?: unknown } }>) {
    if (typeof item?.title === 'string' && isVerifySession({ title: item.title })) continue;
    const at = item?.time?.updated ?? item?.time?.created;
    if (typeof at === 'number' && Number.isFinite(at) && (newest === null || at > newest)) newest = at;
  }
  return newest;
}
