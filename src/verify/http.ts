/**
 * The verifier's HTTP: one undici Agent per verification (destroyed at the end, so no keep-alive socket holds the
 * process open), a per-request timeout, bodies read whole up to a cap, and network errors classified by their
 * stable codes, never by message text. Results are data; nothing here throws for a failed request.
 */
import { Agent, request } from 'undici';
import { redact } from './redact.ts';

const MAX_BODY_BYTES = 1024 * 1024;

/** An HTTP answer, whatever its status. `body` is for parsing only: callers never show or log it. */
export interface HttpAnswer {
  kind: 'answer';
  status: number;
  body: string;
}

/**
 * No HTTP answer. `refused`: nothing listens; `timeout`: no answer in time; `interrupted`: the caller aborted;
 * `unresolvable`: the host name does not resolve (message: the host); `tls`: the TLS handshake failed; `plain-http`:
 * an https:// request reached a server that answers in plain HTTP. The last three are not worth retrying.
 */
export interface HttpFailure {
  kind: 'failure';
  reason: 'refused' | 'timeout' | 'interrupted' | 'network' | 'unresolvable' | 'tls' | 'plain-http';
  /** Stable error code (ECONNREFUSED, UND_ERR_SOCKET, …) when there is one. */
  code?: string;
  /** One line, secrets redacted. */
  message: string;
}

export type HttpOutcome = HttpAnswer | HttpFailure;

/** A response whose body is still arriving (an event stream): the caller reads `body` and must `destroy()` it. */
export interface HttpStream {
  kind: 'stream';
  status: number;
  contentType: string;
  body: AsyncIterable<Buffer> & { destroy(): unknown };
}

export interface HttpRequestOptions {
  method?: 'GET' | 'POST' | 'DELETE';
  headers?: Record<string, string>;
  json?: unknown;
  timeoutMs: number;
  /** The caller's cancellation (Ctrl-C); distinct from the per-request timeout. */
  signal?: AbortSignal;
}

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);
// getaddrinfo's "no such host" and "no answer from DNS": a server that is booting does not change either.
const UNRESOLVABLE_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME']);
const TLS_CODES = new Set([
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);
// OpenSSL reading an HTTP answer as a TLS record: the port speaks plain HTTP.
const PLAIN_HTTP_CODES = new Set(['ERR_SSL_WRONG_VERSION_NUMBER']);

function errorCode(error: unknown): string | undefined {
  const e = error as { code?: unknown; cause?: { code?: unknown }; errors?: Array<{ code?: unknown }> } | null;
  for (const candidate of [e?.code, e?.cause?.code, e?.errors?.[0]?.code]) if (typeof candidate === 'string') return candidate;
  return undefined;
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return url;
  }
}

function classify(error: unknown, timedOut: boolean, interrupted: boolean, secrets: readonly string[], url: string): HttpFailure {
  const code = errorCode(error);
  const text = redact(String((error as Error | null)?.message ?? error).split('\n')[0] ?? '', secrets);
  if (interrupted) return { kind: 'failure', reason: 'interrupted', message: 'interrupted' };
  if (timedOut || (code !== undefined && TIMEOUT_CODES.has(code))) return { kind: 'failure', reason: 'timeout', code, message: 'no answer in time' };
  if (code === 'ECONNREFUSED') return { kind: 'failure', reason: 'refused', code, message: 'connection refused' };
  if (code !== undefined && UNRESOLVABLE_CODES.has(code)) return { kind: 'failure', reason: 'unresolvable', code, message: redact(hostOf(url), secrets) };
  if (code !== undefined && TLS_CODES.has(code)) return { kind: 'failure', reason: 'tls', code, message: `${code}: ${text}` };
  if (code !== undefined && PLAIN_HTTP_CODES.has(code)) return { kind: 'failure', reason: 'plain-http', code, message: `the server on this port speaks plain HTTP, not HTTPS (${code})` };
  return { kind: 'failure', reason: 'network', code, message: code !== undefined && !text.includes(code) ? `${code}: ${text}` : text };
}

async function readBody(body: AsyncIterable<Buffer> & { destroy(): unknown }): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      body.destroy();
      break;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export class HttpClient {
  private readonly agent = new Agent({ connect: { timeout: 5_000 }, keepAliveTimeout: 1_000, keepAliveMaxTimeout: 1_000 });

  /**
   * @param secrets values to redact from any error text
   * @param defaults headers sent with every request (a request's own headers win)
   */
  constructor(
    private readonly secrets: readonly string[],
    private readonly defaults: Record<string, string> = {},
  ) {}

  /**
   * The per-request timeout is a timer cleared when the request ends, and the caller's signal is followed through a
   * listener removed then too: a long-running caller (keepalive, thousands of requests under one signal) keeps
   * nothing per request once it has ended.
   */
  async send(url: string, options: HttpRequestOptions): Promise<HttpOutcome> {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, options.timeoutMs);
    const follow = () => controller.abort();
    options.signal?.addEventListener('abort', follow, { once: true });
    if (options.signal?.aborted === true) controller.abort();
    const signal = controller.signal;
    const headers: Record<string, string> = { accept: 'application/json', ...this.defaults, ...options.headers };
    let body: string | undefined;
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers['content-type'] = 'application/json';
    }
    try {
      const answer = await request(url, { dispatcher: this.agent, method: options.method ?? 'GET', headers, body, signal });
      return { kind: 'answer', status: answer.statusCode, body: await readBody(answer.body) };
    } catch (error) {
      return classify(error, timedOut, options.signal?.aborted === true, this.secrets, url);
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', follow);
    }
  }

  /**
   * Like `send`, but resolves once the headers arrive (`timeoutMs` bounds only that wait) and leaves the body to
   * the caller, for a stream that never ends on its own.
   */
  async open(url: string, options: Omit<HttpRequestOptions, 'json' | 'method'>): Promise<HttpStream | HttpFailure> {
    const headersTimeout = new AbortController();
    const timer = setTimeout(() => headersTimeout.abort(), options.timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, headersTimeout.signal]) : headersTimeout.signal;
    try {
      const answer = await request(url, { dispatcher: this.agent, method: 'GET', headers: { ...this.defaults, ...options.headers }, signal });
      const type = answer.headers['content-type'];
      return { kind: 'stream', status: answer.statusCode, contentType: String(type ?? ''), body: answer.body };
    } catch (error) {
      return classify(error, headersTimeout.signal.aborted, options.signal?.aborted === true, this.secrets, url);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Drops every socket at once: nothing is left in flight that we still care about. */
  async close(): Promise<void> {
    await this.agent.destroy();
  }
}

/** Parses JSON, or undefined. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * The machine-readable error code of an OpenWork (`{"code"}`) or OpenCode (`{"name"}`) error body, if it looks like
 * one; never the free-text message, which may echo input.
 */
export function errorCodeOf(body: string): string | undefined {
  const parsed = parseJson(body) as { code?: unknown; name?: unknown } | undefined;
  const code = parsed?.code ?? parsed?.name;
  return typeof code === 'string' && /^[A-Za-z][\w.-]{0,63}$/.test(code) ? code : undefined;
}
