/**
 * The OpenSandbox lifecycle API over undici: one method per call owctl makes, typed in and out, errors classified
 * (errors.ts). The API key travels only in the OPEN-SANDBOX-API-KEY header; it is never part of a URL or a message.
 * Lists are read to the last page at the server's largest page size.
 */
import { Agent, request } from 'undici';
import { apiError, unreachable } from './errors.ts';
import type { WireCreate, WireEndpoint, WireList, WireSandbox } from './wire.ts';

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
}

function errorCode(error: unknown): string | undefined {
  const e = error as { code?: unknown; cause?: { code?: unknown }; errors?: Array<{ code?: unknown }> } | null;
  for (const candidate of [e?.code, e?.cause?.code, e?.errors?.[0]?.code]) if (typeof candidate === 'string') return candidate;
  return undefined;
}

export class OpenSandboxClient {
  private readonly agent = new Agent({ connect: { timeout: 10_000 }, keepAliveTimeout: 2_000 });

  constructor(private readonly options: ClientOptions) {}

  private async call<T>(method: string, path: string, doing: string, body?: unknown, accept: number[] = [200]): Promise<{ status: number; value: T }> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.options.apiKey !== undefined) headers[API_KEY_HEADER] = this.options.apiKey;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    let answer;
    try {
      answer = await request(`${this.options.url}/v1${path}`, {
        dispatcher: this.agent,
        method: method as 'GET',
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: timeout,
      });
    } catch (error) {
      const code = errorCode(error);
      throw unreachable(this.options.url, code, timeout.aborted || (code !== undefined && TIMEOUT_CODES.has(code)));
    }
    const text = await answer.body.text();
    if (!accept.includes(answer.statusCode)) {
      const requestId = answer.headers['x-request-id'];
      throw apiError({ status: answer.statusCode, body: text, requestId: typeof requestId === 'string' ? requestId : undefined }, doing, this.options.url, this.options.secrets);
    }
    return { status: answer.statusCode, value: (text === '' ? undefined : JSON.parse(text)) as T };
  }

  /** Every sandbox whose metadata holds all of `metadata`, across all pages. */
  async list(metadata: Record<string, string>): Promise<WireSandbox[]> {
    const filter = encodeURIComponent(Object.entries(metadata).map(([k, v]) => `${k}=${v}`).join('&'));
    const items: WireSandbox[] = [];
    for (let page = 1; ; page++) {
      const { value } = await this.call<WireList>('GET', `/sandboxes?metadata=${filter}&page=${page}&pageSize=${PAGE_SIZE}`, 'listing sandboxes');
      items.push(...value.items);
      if (!value.pagination.hasNextPage || value.items.length === 0) return items;
    }
  }

  async get(id: string): Promise<WireSandbox> {
    return (await this.call<WireSandbox>('GET', `/sandboxes/${encodeURIComponent(id)}`, `reading sandbox ${id}`)).value;
  }

  async create(body: WireCreate, name: string): Promise<WireSandbox> {
    return (await this.call<WireSandbox>('POST', '/sandboxes', `creating ${name}`, body, [200, 201, 202])).value;
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
    return (await this.call<WireEndpoint>('GET', `/sandboxes/${encodeURIComponent(id)}/endpoints/${port}`, `looking up ${name}'s address`)).value;
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}
