/**
 * The `events` step: proves live events reach a client through the URL clients use. It subscribes to
 * `/w/{id}/opencode/event` (the OpenWork server streams OpenCode's `GET /event` through its proxy), waits for
 * OpenCode's `server.connected` (written only after the subscription is registered), creates a session, and waits
 * for that session's `session.created`; the session is always deleted. A stream that opens but stays silent fails
 * within FIRST_EVENT_MS, not after the whole verify.timeout: that is a buffering proxy, and no wait fixes it.
 */
import * as hints from './event-hints.ts';
import { errorCodeOf, type HttpStream, parseJson } from './http.ts';
import { readSse, type SseEvents } from './sse.ts';
import { REQUEST_TIMEOUT_MS, SESSION_CREATE_MIN_MS, type StepContext, type StepOutcome, bearer, failed, networkFailed, passed, removeSession } from './steps.ts';
import { verifySessionTitle } from './verify-sessions.ts';
import { type Diagnosis, notJson, sessionFailure } from './hints.ts';

/** OpenCode writes server.connected at once; a healthy stream delivers it in milliseconds. */
export const FIRST_EVENT_MS = 5_000;
/** How long session.created may take to arrive once the session exists. */
export const SESSION_EVENT_MS = 5_000;

const typeOf = (event: unknown): string | undefined => {
  const type = (event as { type?: unknown } | null)?.type;
  return typeof type === 'string' ? type : undefined;
};

export async function events(ctx: StepContext): Promise<StepOutcome> {
  const workspace = `${ctx.base}/w/${encodeURIComponent(ctx.workspaceId ?? '')}/opencode`;
  const url = `${workspace}/event`;
  // Every wait fits what is left of verify.timeout, and is at least a second: a step reached at the last moment is
  // still tried.
  const within = (ms: number) => Math.max(SESSION_CREATE_MIN_MS, Math.min(ms, ctx.deadline - Date.now()));
  const headersWait = within(REQUEST_TIMEOUT_MS);
  const opened = await ctx.http.open(url, { headers: { ...bearer(ctx), accept: 'text/event-stream' }, timeoutMs: headersWait, signal: ctx.signal });
  if (opened.kind === 'failure') return opened.reason === 'timeout' ? failed(url, hints.noHeaders(headersWait)) : networkFailed(ctx, url, 'subscribing to the event stream', opened);
  if (opened.status !== 200) return failed(url, hints.refused(opened.status, errorCodeOf(await errorBody(opened.body))), opened.status);
  if (!/^text\/event-stream\b/i.test(opened.contentType)) {
    opened.body.destroy();
    return failed(url, hints.notAStream(opened.contentType), 200);
  }
  const stream = readSse(opened.body);
  try {
    const firstWait = within(FIRST_EVENT_MS);
    if ((await stream.waitFor(() => true, firstWait, ctx.signal)) === undefined) return interruptedOr(ctx, url, hints.silentStream(firstWait));
    return await sessionEvent(ctx, workspace, url, stream, within);
  } finally {
    stream.close();
  }
}

/** Creates a session, waits for its session.created on the stream, deletes it. */
async function sessionEvent(ctx: StepContext, workspace: string, url: string, stream: SseEvents, within: (ms: number) => number): Promise<StepOutcome> {
  const root = `${workspace}/session`;
  // Titled like the session step's, so a session the server creates after this run stopped waiting is deleted as late.
  const title = verifySessionTitle(ctx.runId);
  const create = await ctx.http.send(root, { method: 'POST', json: { title }, headers: bearer(ctx), timeoutMs: within(Number.POSITIVE_INFINITY), signal: ctx.signal });
  if (create.kind === 'failure') return networkFailed(ctx, root, 'creating an OpenCode session', create);
  if (create.status < 200 || create.status > 299) return failed(root, sessionFailure('creating an OpenCode session', create.status, errorCodeOf(create.body)), create.status);
  const id = (parseJson(create.body) as { id?: unknown } | undefined)?.id;
  if (typeof id !== 'string' || id === '') return failed(root, notJson(ctx.target.terms), create.status);
  try {
    const wait = within(SESSION_EVENT_MS);
    // OpenCode names the new session in properties.info.id (1.18 also in properties.sessionID): either will do.
    const created = (event: unknown) => {
      const properties = (event as { properties?: { info?: { id?: unknown }; sessionID?: unknown } }).properties;
      return typeOf(event) === 'session.created' && (properties?.info?.id === id || properties?.sessionID === id);
    };
    if ((await stream.waitFor(created, wait, ctx.signal)) !== undefined) return passed(url, 200);
    const seen = [...new Set(stream.received.map((event) => typeOf(event) ?? 'data'))];
    return interruptedOr(ctx, url, hints.missingEvent(id, wait, seen));
  } finally {
    await removeSession(ctx, `${root}/${encodeURIComponent(id)}`);
  }
}

function interruptedOr(ctx: StepContext, url: string, diagnosis: Diagnosis): StepOutcome {
  if (ctx.signal?.aborted) return failed(url, { message: 'verification interrupted', hint: 'run `owctl verify` to check again' });
  return failed(url, diagnosis, 200);
}

/** The first kilobytes of an error answer (for its error code only), read for at most a second. */
async function errorBody(body: HttpStream['body']): Promise<string> {
  const chunks: Buffer[] = [];
  const timer = setTimeout(() => body.destroy(), 1_000);
  try {
    for await (const chunk of body) {
      chunks.push(chunk);
      if (Buffer.concat(chunks).length > 16_384) break;
    }
  } catch {
    // cut short: what arrived is enough
  } finally {
    clearTimeout(timer);
    body.destroy();
  }
  return Buffer.concat(chunks).toString('utf8');
}
