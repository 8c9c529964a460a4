/**
 * When a remote client last used an OpenWork sandbox, read the way a client reads it: GET /workspaces with the client
 * token (first workspace id), then the OpenCode sessions through the proxy; the newest `time.updated` is the last use.
 * Reading is not use: these requests create nothing, and owctl's own verification deletes the session it makes.
 * Published-port traffic never reaches msb's idle monitor, so asking the server is the only way to know.
 */
import { HttpClient, parseJson } from './http.ts';

const REQUEST_TIMEOUT_MS = 10_000;

export type ActivityAnswer = { kind: 'known'; lastUsedMs: number | null } | { kind: 'unknown'; reason: string };

export async function lastClientActivity(baseUrl: string, clientToken: string, signal?: AbortSignal): Promise<ActivityAnswer> {
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
    return { kind: 'known', lastUsedMs: newestUpdate(parseJson(sessions.body)) };
  } finally {
    await http.close();
  }
}

function newestUpdate(list: unknown): number | null {
  if (!Array.isArray(list)) return null;
  let newest: number | null = null;
  for (const item of list as Array<{ time?: { updated?: unknown; created?: unknown } }>) {
    const at = item?.time?.updated ?? item?.time?.created;
    if (typeof at === 'number' && Number.isFinite(at) && (newest === null || at > newest)) newest = at;
  }
  return newest;
}
