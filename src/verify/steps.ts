/**
 * The verification steps as a client sees them. Each returns an outcome (no timing: verify.ts measures) and
 * never throws for a failed request. Response bodies are parsed for ids and error codes only, never returned.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import * as hints from './hints.ts';
import type { Diagnosis } from './hints.ts';
import { type HttpClient, type HttpFailure, type HttpOutcome, errorCodeOf, parseJson } from './http.ts';
import type { VerifyStepName, VerifyTarget, WaitingListener } from './types.ts';
import { deleteSessions, isLeftoverVerifySession, listedSessions, verifySessionTitle } from './verify-sessions.ts';

/** Per-request timeouts. */
export const REQUEST_TIMEOUT_MS = 10_000;
/**
 * Creating OpenCode's first session waits for whatever is left of the verification's timeout (verify.timeout), never a
 * fixed bound: a cold OpenCode without registry access first tries to install its plugins, and its first session took
 * 16–144 s on the real server. At least this long, so a server that came up at the last moment is still tried.
 */
export const SESSION_CREATE_MIN_MS = 1_000;
const HEALTH_ATTEMPT_TIMEOUT_MS = 2_000;
/**
 * Waits between /health attempts: short and capped low, so a server that turns healthy is seen within ~0.1 s, not
 * after up to a second of back-off. A refused or failed attempt costs well under a millisecond, so polling this
 * often costs nothing worth saving.
 */
const POLL_START_MS = 25;
export const POLL_MAX_MS = 100;

/** The wait after the `attempt`-th failed /health attempt (0-based). */
export function healthRetryDelay(attempt: number): number {
  return Math.min(POLL_START_MS * 2 ** Math.min(attempt, 10), POLL_MAX_MS);
}
const CLEANUP_TIMEOUT_MS = 5_000;
const WAITING_NOTE_EVERY_MS = 5_000;

export interface StepContext {
  http: HttpClient;
  /** Base URL without a trailing slash. */
  base: string;
  target: VerifyTarget;
  signal?: AbortSignal;
  /** Set by `authorized`, used by `session`. */
  workspaceId?: string;
  onWaiting?: WaitingListener;
  /** This verification's id: its session is titled `owctl-verify-<runId>`. */
  runId: string;
  /** When the verification's timeout (verify.timeout, from its start) runs out (ms since the epoch). */
  deadline: number;
}

export interface StepOutcome {
  ok: boolean;
  /** Request URL that decided the outcome (credentials are never part of it). */
  url: string;
  status?: number;
  message?: string;
  hint?: string;
  /** A failure that is not an ordinary `verify.failed` (e.g. `verify.public_token`). */
  code?: string;
}

const INTERRUPTED: Diagnosis = { message: 'verification interrupted', hint: 'run `owctl verify` to check again' };

export const passed = (url: string, status: number, message?: string): StepOutcome => ({ ok: true, url, status, ...(message ? { message } : {}) });
export const failed = (url: string, diagnosis: Diagnosis, status?: number): StepOutcome => ({ ok: false, url, ...(status !== undefined ? { status } : {}), ...diagnosis });

export function networkFailed(ctx: StepContext, url: string, action: string, outcome: HttpFailure): StepOutcome {
  return failed(url, outcome.reason === 'interrupted' ? INTERRUPTED : hints.requestFailure(action, outcome, ctx.target.terms));
}

/** What no retry can fix: stop waiting at once. */
const FINAL_FAILURES = new Set<HttpFailure['reason']>(['unresolvable', 'tls', 'plain-http']);
/**
 * /health needs no token and is always there on an OpenWork server, starting or not: 401 or 404 means the URL leads
 * elsewhere (a `/w/<id>/opencode` prefix, a proxy path), and waiting cannot change that.
 */
const WRONG_URL_STATUSES: ReadonlySet<number> = new Set([401, 404]);

function describe(outcome: HttpOutcome): string {
  return outcome.kind === 'answer' ? `HTTP ${outcome.status}` : outcome.message;
}

export const bearer = (ctx: StepContext) => ({ authorization: `Bearer ${ctx.target.clientToken}` });

/**
 * Polls /health until 200 within timeoutSecs: refused connections, timeouts and other statuses mean "not yet"; an
 * unresolvable host or a failed TLS handshake end the wait at once. `onWaiting` hears about the wait every few seconds.
 */
export async function health(ctx: StepContext): Promise<StepOutcome> {
  const url = `${ctx.base}/health`;
  const started = Date.now();
  const deadline = started + ctx.target.timeoutSecs * 1000;
  let attempt = 0;
  let nextNote = 0;
  let last: HttpOutcome;
  for (;;) {
    const remaining = deadline - Date.now();
    last = await ctx.http.send(url, { timeoutMs: Math.max(100, Math.min(HEALTH_ATTEMPT_TIMEOUT_MS, remaining)), signal: ctx.signal });
    if (last.kind === 'answer' && last.status === 200) return passed(url, 200);
    if (last.kind === 'failure' && last.reason === 'interrupted') return failed(url, INTERRUPTED);
    if (last.kind === 'failure' && FINAL_FAILURES.has(last.reason)) break;
    if (last.kind === 'answer' && WRONG_URL_STATUSES.has(last.status)) break;
    if (ctx.onWaiting !== undefined && Date.now() >= nextNote) {
      ctx.onWaiting({ step: 'health', what: 'the OpenWork server to answer /health', url, last: describe(last), waitedSecs: Math.round((Date.now() - started) / 1000), timeoutSecs: ctx.target.timeoutSecs });
      nextNote = Date.now() + WAITING_NOTE_EVERY_MS;
    }
    const left = deadline - Date.now();
    if (left <= 0) break;
    try {
      await sleep(Math.min(healthRetryDelay(attempt++), left), undefined, { signal: ctx.signal });
    } catch {
      return failed(url, INTERRUPTED);
    }
  }
  const diagnosis = hints.healthFailure(last.kind === 'answer' ? { status: last.status } : last, ctx.target.timeoutSecs, ctx.target.terms, ctx.base);
  return failed(url, diagnosis, last.kind === 'answer' ? last.status : undefined);
}

/** /workspaces without a token must be exactly 401. */
export async function unauthorized(ctx: StepContext): Promise<StepOutcome> {
  const url = `${ctx.base}/workspaces`;
  const answer = await ctx.http.send(url, { timeoutMs: REQUEST_TIMEOUT_MS, signal: ctx.signal });
  if (answer.kind === 'failure') return networkFailed(ctx, url, 'GET /workspaces', answer);
  return answer.status === 401 ? passed(url, 401) : failed(url, hints.unauthorizedFailure(answer.status, ctx.target.terms), answer.status);
}

/**
 * /workspaces with the client token must be 200 and list a workspace — the one the target names, if it names one;
 * its id is kept for `session`.
 */
export async function authorized(ctx: StepContext): Promise<StepOutcome> {
  const url = `${ctx.base}/workspaces`;
  const answer = await ctx.http.send(url, { headers: bearer(ctx), timeoutMs: REQUEST_TIMEOUT_MS, signal: ctx.signal });
  if (answer.kind === 'failure') return networkFailed(ctx, url, 'GET /workspaces', answer);
  if (answer.status !== 200) return failed(url, hints.authorizedFailure(answer.status, errorCodeOf(answer.body), ctx.target.terms), answer.status);
  // The body carries OpenCode credentials: read the ids and drop the rest.
  const parsed = parseJson(answer.body) as { items?: Array<{ id?: unknown }> } | undefined;
  if (parsed === undefined || typeof parsed !== 'object' || parsed === null) return failed(url, hints.notJson(ctx.target.terms), 200);
  const ids = (Array.isArray(parsed.items) ? parsed.items : []).map((item) => item?.id).filter((id): id is string => typeof id === 'string' && id !== '');
  if (ids.length === 0) return failed(url, hints.noWorkspace, 200);
  const wanted = ctx.target.workspaceId;
  if (wanted !== undefined && !ids.includes(wanted)) return failed(url, hints.unknownWorkspace(wanted, ctx.target.terms), 200);
  ctx.workspaceId = wanted ?? ids[0];
  return passed(url, 200);
}

/** A wait shorter than this is not worth a note. */
const FIRST_NOTE_AFTER_MS = 1_000;

/** Calls `onWaiting` once the wait is noticeable, then every few seconds, until the returned stop is called. */
function noteWhileWaiting(ctx: StepContext, step: VerifyStepName, what: string, url: string, timeoutMs: number): () => void {
  if (ctx.onWaiting === undefined) return () => undefined;
  const started = Date.now();
  const note = () => ctx.onWaiting!({ step, what, url, last: 'no answer yet', waitedSecs: Math.round((Date.now() - started) / 1000), timeoutSecs: Math.round(timeoutMs / 1000) });
  let every: NodeJS.Timeout | undefined;
  const first = setTimeout(() => {
    note();
    every = setInterval(note, WAITING_NOTE_EVERY_MS);
  }, FIRST_NOTE_AFTER_MS);
  return () => {
    clearTimeout(first);
    clearInterval(every);
  };
}

/**
 * Creates an OpenCode session through the proxy, titled `owctl-verify-<run id>`, reads it and its messages, and always
 * deletes it once created; then deletes the verification sessions of earlier runs that the server created after their
 * run had stopped waiting.
 */
export async function session(ctx: StepContext): Promise<StepOutcome> {
  const root = `${ctx.base}/w/${encodeURIComponent(ctx.workspaceId ?? '')}/opencode/session`;
  const timeoutMs = Math.max(SESSION_CREATE_MIN_MS, ctx.deadline - Date.now());
  const stopNotes = noteWhileWaiting(ctx, 'session', 'OpenCode to create a session (a cold OpenCode first installs its plugins)', root, timeoutMs);
  const create = await ctx.http
    .send(root, { method: 'POST', json: { title: verifySessionTitle(ctx.runId) }, headers: bearer(ctx), timeoutMs, signal: ctx.signal })
    .finally(stopNotes);
  if (create.kind === 'failure' && create.reason === 'timeout') return failed(root, hints.sessionTimeout(Math.round(timeoutMs / 1000), ctx.target.terms));
  if (create.kind === 'failure') return networkFailed(ctx, root, 'creating an OpenCode session', create);
  if (create.status < 200 || create.status > 299) {
    return failed(root, hints.sessionFailure('creating an OpenCode session', create.status, errorCodeOf(create.body)), create.status);
  }
  const id = (parseJson(create.body) as { id?: unknown } | undefined)?.id;
  if (typeof id !== 'string' || id === '') return failed(root, hints.notJson(ctx.target.terms), create.status);
  const sessionUrl = `${root}/${encodeURIComponent(id)}`;
  let problem: StepOutcome | undefined;
  let removed = false;
  try {
    problem = await readBack(ctx, sessionUrl);
  } finally {
    removed = await removeSession(ctx, sessionUrl);
  }
  const leftover = removed ? undefined : `the verification session ${id} could not be deleted`;
  if (problem) return leftover ? { ...problem, message: `${problem.message}; ${leftover}` } : problem;
  const late = await removeLateSessions(ctx, root);
  const notes = [leftover, late > 0 ? `deleted ${late} verification session${late === 1 ? '' : 's'} of earlier runs that the server created after they stopped waiting` : undefined];
  return passed(root, create.status, notes.filter((n) => n !== undefined).join('; ') || undefined);
}

/**
 * Deletes the `owctl-verify-*` sessions of other runs that were left behind: their run gave up on them, or could not
 * delete them. A younger one may belong to a verification running at the same moment (another apply, `owctl
 * verify`), which deletes it itself: it is left alone, as keepalive does.
 */
async function removeLateSessions(ctx: StepContext, root: string): Promise<number> {
  const listed = await ctx.http.send(root, { headers: bearer(ctx), timeoutMs: REQUEST_TIMEOUT_MS, signal: ctx.signal });
  if (listed.kind !== 'answer' || listed.status !== 200) return 0;
  const own = verifySessionTitle(ctx.runId);
  const now = (ctx.target.nowMs ?? Date.now)();
  const late = listedSessions(parseJson(listed.body)).filter((s) => s.title !== own && isLeftoverVerifySession(s, now));
  return deleteSessions(ctx.http, root, bearer(ctx), late);
}

/** GET the session, then its messages: both must be 2xx. Returns the failure, if any. */
async function readBack(ctx: StepContext, sessionUrl: string): Promise<StepOutcome | undefined> {
  const reads = [
    [sessionUrl, 'reading the session'],
    [`${sessionUrl}/message?limit=10`, 'reading its messages'],
  ] as const;
  for (const [url, action] of reads) {
    const answer = await ctx.http.send(url, { headers: bearer(ctx), timeoutMs: REQUEST_TIMEOUT_MS, signal: ctx.signal });
    if (answer.kind === 'failure') return networkFailed(ctx, url, action, answer);
    if (answer.status < 200 || answer.status > 299) return failed(url, hints.sessionFailure(action, answer.status, errorCodeOf(answer.body)), answer.status);
  }
  return undefined;
}

/** Best effort, not bound to the caller's signal: an interrupted verification still cleans up after itself. */
export async function removeSession(ctx: StepContext, url: string): Promise<boolean> {
  const answer = await ctx.http.send(url, { method: 'DELETE', headers: bearer(ctx), timeoutMs: CLEANUP_TIMEOUT_MS });
  return answer.kind === 'answer' && answer.status >= 200 && answer.status < 300;
}

/** /tokens with the host token header must be 200: proves the host token. */
export async function hostToken(ctx: StepContext): Promise<StepOutcome> {
  const url = `${ctx.base}/tokens`;
  const answer = await ctx.http.send(url, { headers: { 'x-openwork-host-token': ctx.target.hostToken }, timeoutMs: REQUEST_TIMEOUT_MS, signal: ctx.signal });
  if (answer.kind === 'failure') return networkFailed(ctx, url, 'GET /tokens', answer);
  if (answer.status === 200) return passed(url, 200);
  const refused = answer.status === 401 || answer.status === 403;
  const diagnosis = hints.hostTokenFailure(answer.status, errorCodeOf(answer.body), ctx.target.terms, refused && (await isClientToken(ctx, ctx.target.hostToken)));
  return failed(url, diagnosis, answer.status);
}

/** Whether the server takes `token` as a client credential: a host token it would refuse there (401). */
async function isClientToken(ctx: StepContext, token: string): Promise<boolean> {
  if (token === ctx.target.clientToken) return true;
  const answer = await ctx.http.send(`${ctx.base}/workspaces`, { headers: { authorization: `Bearer ${token}` }, timeoutMs: REQUEST_TIMEOUT_MS, signal: ctx.signal });
  return answer.kind === 'answer' && answer.status === 200;
}
