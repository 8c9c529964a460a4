/**
 * What the server answered, checked before owctl believes it: JSON of the shape the call expects, or a named
 * `opensandbox.bad_answer` error quoting what came back, cut short and with every known secret redacted. A broken
 * proxy, a wrong URL or a hostile server must not become "internal error" or a wrong plan.
 */
import { OwctlError } from '../errors.ts';
import { redactAll } from './errors.ts';
import type { WireEndpoint, WireList, WireSandbox } from './wire.ts';

/** Most of an answer quoted in an error. */
const QUOTE_CHARS = 200;

export function quote(text: string, secrets: readonly string[]): string {
  const shown = redactAll(text, secrets).replace(/\s+/g, ' ').trim();
  return shown.length > QUOTE_CHARS ? `${shown.slice(0, QUOTE_CHARS)}… (${text.length} characters)` : shown === '' ? '(empty)' : shown;
}

export function badAnswer(doing: string, url: string, what: string, text: string, secrets: readonly string[]): OwctlError {
  return new OwctlError('opensandbox.bad_answer', `OpenSandbox ${doing}: ${what}; it answered: ${quote(text, secrets)}`, {
    hint: `check that backend.url (${url}) is the OpenSandbox lifecycle server itself, not a proxy or another service (\`curl ${url}/health\`)`,
  });
}

/** The server's URL as owctl prints it: any user-info (a credential) removed. */
export function safeUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#@]*@/i, '$1');
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export function isSandbox(value: unknown): value is WireSandbox {
  return isObject(value) && typeof value.id === 'string' && value.id !== '' && isObject(value.status) && typeof value.status.state === 'string' && typeof value.createdAt === 'string';
}

export function isList(value: unknown): value is WireList {
  if (!isObject(value) || !Array.isArray(value.items) || !isObject(value.pagination)) return false;
  return typeof value.pagination.hasNextPage === 'boolean' && value.items.every(isSandbox);
}

export function isEndpoint(value: unknown): value is WireEndpoint {
  return isObject(value) && typeof value.endpoint === 'string' && value.endpoint !== '' && (value.headers === undefined || isObject(value.headers));
}
