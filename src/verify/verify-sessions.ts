/**
 * owctl's own OpenCode sessions. Verification creates one session per run, titled `owctl-verify-<run id>`, and deletes
 * it. When OpenCode is slow (a cold one first installs its plugins) the server may create the session long after owctl
 * stopped waiting, and it then stays: such late sessions are recognised by their title, deleted by the next
 * verification or keepalive pass, and never taken for a client's use.
 */
import { randomBytes } from 'node:crypto';
import type { HttpClient } from './http.ts';

export const VERIFY_SESSION_PREFIX = 'owctl-verify-';

/** An in-flight verification deletes its session within this long of its creation; older ones were left behind. */
export const LEFTOVER_AFTER_MS = 30_000;

const DELETE_TIMEOUT_MS = 5_000;

/** A run id: when the run started (base 36 ms) and a random part, so titles sort by time and never collide. */
export function newRunId(nowMs = Date.now()): string {
  return `${nowMs.toString(36)}-${randomBytes(3).toString('hex')}`;
}

export function verifySessionTitle(runId: string): string {
  return `${VERIFY_SESSION_PREFIX}${runId}`;
}

export interface ListedSession {
  id: string;
  title?: string;
  createdMs?: number;
}

/** The sessions of an OpenCode session list (`GET …/session`), with what owctl reads of them. */
export function listedSessions(list: unknown): ListedSession[] {
  if (!Array.isArray(list)) return [];
  return (list as Array<{ id?: unknown; title?: unknown; time?: { created?: unknown } }>).flatMap((item) => {
    if (typeof item?.id !== 'string' || item.id === '') return [];
    const created = item.time?.created;
    return [{ id: item.id, ...(typeof item.title === 'string' ? { title: item.title } : {}), ...(typeof created === 'number' ? { createdMs: created } : {}) }];
  });
}

export function isVerifySession(session: { title?: string }): boolean {
  return session.title?.startsWith(VERIFY_SESSION_PREFIX) === true;
}

/** A verification session left behind: older than any verification keeps its own (one in flight is left alone). */
export function isLeftoverVerifySession(session: ListedSession, nowMs: number): boolean {
  return isVerifySession(session) && session.createdMs !== undefined && nowMs - session.createdMs > LEFTOVER_AFTER_MS;
}

/**
 * Deletes `sessions` (each `root/<id>`), best effort and not bound to the caller's signal; answers how many went.
 */
export async function deleteSessions(http: HttpClient, root: string, headers: Record<string, string>, sessions: readonly ListedSession[]): Promise<number> {
  let deleted = 0;
  for (const session of sessions) {
    const answer = await http.send(`${root}/${encodeURIComponent(session.id)}`, { method: 'DELETE', headers, timeoutMs: DELETE_TIMEOUT_MS });
    if (answer.kind === 'answer' && answer.status >= 200 && answer.status < 300) deleted += 1;
  }
  return deleted;
}
