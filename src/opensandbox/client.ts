/**
 * The OpenSandbox lifecycle API over undici: one method per call owctl makes, typed in and out, errors classified
 * (errors.ts). The API key travels only in the OPEN-SANDBOX-API-KEY header; it is never part of a URL or a message.
 * Lists are read to the last page at the server's largest page size.
 */
import { Agent, request } from 'undici';
import { OwctlError } from '../errors.ts';
import { badAnswer, isEndpoint, isList, isSandbox, safeUrl } from './answers.ts';
import { apiError, unreachable } from './errors.ts';
import type { WireCreate, WireEndpoint, WireSandbox } from './wire.ts';

/** The server caps pageSize at 200. */
export const PAGE_SIZE = 200;
const API_KEY_HEADER = 'OPEN-SANDBOX-API-KEY';
const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);

export interface ClientOptions {
  /** Base URL without `/v1`. */
  url: string;
  apiKey?: string;
  timeoutMs: number;
  /** Values to redact from any text the server sends back (tokens, the key). */
  secrets: readonly string[];
  /** Largest answer read (default MAX_ANSWER_BYTES). */
  maxAnswerBytes?: number;
}

/** A page of 200 sandboxes is well under a megabyte; anything near this is not a lifecycle answer. */
export const MAX_ANSWER_BYTES = 16 * 1024 * 1024;
/** 200 sandboxes a page: 100,000 sandboxes in one project before owctl calls the list endless. */
export const MAX_PAGES = 500;
const SANDBOX = { check: isSandbox, what: 'a sandbox' };
const LIST = { check: isList, what: 'a list of sandboxes' };
const ENDPOINT = { check: isEndpoint, what: 'an endpoint' };

/** Reads a body as text, calling `tooLarge` (which throws) once more than `max` bytes arrived. */
async function readCapped(body: AsyncIterable<Buffer> & { destroy(): unknown }, max: number, tooLarge: () => never): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > max) {
      body.destroy();
      tooLarge();
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function errorCode(error: unknown): string | undefined {
  const e = error as { code?: unknown; cause?: { code?: unknown }; errors?: Array<{ code?: unknown }> } | null;
  for (const candidate of [e?.code, e?.cause?.code, e?.errors?.[0]?.code]) if (typeof candidate === 'string') return candidate;
  return undefined;
}

export class OpenSandboxClient {
  private readonly agent = new Agent({ connect: { timeout: 10_000 }, keepAliveTimeout: 2_000 });
  private readonly maxBytes: number;

  constructor(private readonly options: ClientOptions) {
    this.maxBytes = options.maxAnswerBytes ?? MAX_ANSWER_BYTES;
  }

  private async call<T>(
    method: string,
    path: string,
    doing: string,
    body?: unknown,
    accept: number[] = [200],
    shape?: { check: (value: unknown) => value is T; what: string },
  ): Promise<{ status: number; value: T }> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.options.apiKey !== undefined) headers[API_KEY_HEADER] = this.options.apiKey;
    if (body !== undefined) headers['content-type'] = 'application/json';
    // One deadline for the whole exchange: connect, headers and every byte of the body.
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    const where = safeUrl(this.options.url);
    let status: number;
    let text: string;
    let requestId: unknown;
    try {
      const answer = await request(`${this.options.url}/v1${path}`, {
        dispatcher: this.agent,
        method: method as 'GET',
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: timeout,
      });
      status = answer.statusCode;
      requestId = answer.headers['x-request-id'];
      text = await readCapped(answer.body, this.maxBytes, () => {
        throw badAnswer(doing, where, `the answer is larger than ${this.maxBytes} bytes`, '', this.options.secrets);
      });
    } catch (error) {
      if (error instanceof OwctlError) throw error;
      const code = errorCode(error);
      throw unreachable(where, code, timeout.aborted || (code !== undefined && TIMEOUT_CODES.has(code)));
    }
    if (!accept.includes(status)) {
      throw apiError({ status, body: text, requestId: typeof requestId === 'string' ? requestId : undefined }, doing, where, this.options.secrets);
    }
    if (shape === undefined) return { status, value: undefined as T };
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw badAnswer(doing, where, `the answer (HTTP ${status}) is not JSON`, text, this.options.secrets);
    }
    if (!shape.check(value)) throw badAnswer(doing, where, `the answer (HTTP ${status}) is not ${shape.what}`, text, this.options.secrets);
    return { status, value };
  }

  /** Every sandbox whose metadata holds all of `metadata`, across all pages (bounded: a server that never ends is an error). */
  async list(metadata: Record<string, string>): Promise<WireSandbox[]> {
    const filter = encodeURIComponent(Object.entries(metadata).map(([k, v]) => `${k}=${v}`).join('&'));
    const items: WireSandbox[] = [];
    const seen = new Set<string>();
    for (let page = 1; ; page++) {
      const doing = 'listing sandboxes';
      const { value } = await this.call('GET', `/sandboxes?metadata=${filter}&page=${page}&pageSize=${PAGE_SIZE}`, doing, undefined, [200], LIST);
      const fresh = value.items.filter((item) => !seen.has(item.id));
      // A page of nothing but sandboxes already listed is the same page again: the server is not paginating.
      if (value.items.length > 0 && fresh.length === 0) throw this.endless(doing, `page ${page} repeats sandboxes already listed`);
      for (const item of fresh) seen.add(item.id);
      items.push(...fresh);
      const total = value.pagination.totalPages;
      if (!value.pagination.hasNextPage || value.items.length === 0 || (typeof total === 'number' && page >= total)) return items;
      if (page >= MAX_PAGES) throw this.endless(doing, `it still has a next page after ${MAX_PAGES} pages (${items.length} sandboxes)`);
    }
  }

  /** The first page only (doctor: proves the key is accepted for a list). */
  async listPage(metadata: Record<string, string>): Promise<WireSandbox[]> {
    const filter = encodeURIComponent(Object.entries(metadata).map(([k, v]) => `${k}=${v}`).join('&'));
    return (await this.call('GET', `/sandboxes?metadata=${filter}&page=1&pageSize=1`, 'listing sandboxes', undefined, [200], LIST)).value.items;
  }

  /** `/health`, the one route that needs no key; the version when the answer names one. */
  async health(): Promise<{ version: string | null }> {
    const where = safeUrl(this.options.url);
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    let status: number;
    let text: string;
    let header: unknown;
    try {
      const answer = await request(`${this.options.url}/health`, { dispatcher: this.agent, signal: timeout });
      status = answer.statusCode;
      header = answer.headers['x-opensandbox-version'];
      text = await readCapped(answer.body, 64 * 1024, () => {
        throw badAnswer('checking /health', where, 'the answer is too large', '', this.options.secrets);
      });
    } catch (error) {
      if (error instanceof OwctlError) throw error;
      const code = errorCode(error);
      throw unreachable(where, code, timeout.aborted || (code !== undefined && TIMEOUT_CODES.has(code)));
    }
    if (status !== 200) throw badAnswer('checking /health', where, `/health answered HTTP ${status}`, text, this.options.secrets);
    let version: unknown = header;
    try {
      const parsed = JSON.parse(text) as { version?: unknown };
      if (typeof parsed?.version === 'string') version = parsed.version;
    } catch {
      // a plain-text health answer is still healthy
    }
    return { version: typeof version === 'string' && version !== '' ? version : null };
  }

  private endless(doing: string, what: string): OwctlError {
    return new OwctlError('opensandbox.bad_answer', `OpenSandbox ${doing}: ${what}; owctl stopped reading`, {
      hint: `check that backend.url (${safeUrl(this.options.url)}) is the OpenSandbox lifecycle server itself; a project with this many sandboxes is not supported`,
    });
  }

  async get(id: string): Promise<WireSandbox> {
    return (await this.call('GET', `/sandboxes/${encodeURIComponent(id)}`, `reading sandbox ${id}`, undefined, [200], SANDBOX)).value;
  }

  async create(body: WireCreate, name: string): Promise<WireSandbox> {
    return (await this.call('POST', '/sandboxes', `creating ${name}`, body, [200, 201, 202], SANDBOX)).value;
  }

  /** Deleting a sandbox that is already gone (404) is done, not a failure. */
  async remove(id: string, name: string): Promise<void> {
    try {
      await this.call('DELETE', `/sandboxes/${encodeURIComponent(id)}`, `deleting ${name} (${id})`, undefined, [200, 202, 204]);
    } catch (error) {
      if ((error as { code?: string }).code !== 'opensandbox.not_found') throw error;
    }
  }

  /** JSON merge patch (RFC 7396): null deletes a key. */
  async patchMetadata(id: string, patch: Record<string, string | null>, name: string): Promise<void> {
    await this.call('PATCH', `/sandboxes/${encodeURIComponent(id)}/metadata`, `updating the metadata of ${name}`, patch);
  }

  async renew(id: string, expiresAt: string, name: string): Promise<void> {
    await this.call('POST', `/sandboxes/${encodeURIComponent(id)}/renew-expiration`, `renewing ${name}`, { expiresAt });
  }

  async pause(id: string, name: string): Promise<void> {
    await this.call('POST', `/sandboxes/${encodeURIComponent(id)}/pause`, `pausing ${name}`, undefined, [200, 202, 204]);
  }

  async resume(id: string, name: string): Promise<void> {
    await this.call('POST', `/sandboxes/${encodeURIComponent(id)}/resume`, `resuming ${name}`, undefined, [200, 202, 204]);
  }

  async endpoint(id: string, port: number, name: string): Promise<WireEndpoint> {
    return (await this.call('GET', `/sandboxes/${encodeURIComponent(id)}/endpoints/${port}`, `looking up ${name}'s address`, undefined, [200], ENDPOINT)).value;
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}
