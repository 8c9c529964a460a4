/**
 * OpenSandbox answers → OwctlError, classified by HTTP status and the server's machine code where it sends one,
 * never by message text. The server's free text and FastAPI's validation details may echo request values (env,
 * with the tokens): only field locations and the server's own messages are kept, and every known secret is
 * redacted from them.
 */
import { OwctlError, type ErrorCode } from '../errors.ts';

export interface Failure {
  status: number;
  body: string;
  requestId?: string;
}

const SENSITIVE = '(sensitive value)';

export function redactAll(text: string, secrets: readonly string[]): string {
  return secrets.filter((s) => s.length >= 8).reduce((out, secret) => out.replaceAll(secret, SENSITIVE), text);
}

function parse(body: string): { code?: string; message?: string; detail?: unknown } {
  try {
    const value = JSON.parse(body) as unknown;
    return typeof value === 'object' && value !== null ? (value as { code?: string; message?: string; detail?: unknown }) : {};
  } catch {
    return {};
  }
}

/** FastAPI's 422 `{"detail":[{"loc":[…],"msg":…,"input":…}]}`: locations and messages only, never `input`. */
function validationText(detail: unknown): string | undefined {
  if (!Array.isArray(detail)) return undefined;
  const parts = detail.slice(0, 5).map((item: { loc?: unknown; msg?: unknown }) => {
    const loc = Array.isArray(item?.loc) ? item.loc.filter((p) => p !== 'body').join('.') : '';
    return `${loc === '' ? '' : `${loc}: `}${typeof item?.msg === 'string' ? item.msg : 'invalid'}`;
  });
  return parts.join('; ');
}

export function apiError(failure: Failure, doing: string, url: string, secrets: readonly string[]): OwctlError {
  const parsed = parse(failure.body);
  const serverCode = typeof parsed.code === 'string' ? parsed.code : undefined;
  const said = redactAll(validationText(parsed.detail) ?? (typeof parsed.message === 'string' ? parsed.message : ''), secrets).slice(0, 500);
  const details = { status: failure.status, ...(serverCode ? { server_code: serverCode } : {}), ...(failure.requestId ? { request_id: failure.requestId } : {}) };
  const make = (code: ErrorCode, what: string, hint: string) =>
    new OwctlError(code, `OpenSandbox ${doing}: ${what} (HTTP ${failure.status}${serverCode ? ` ${serverCode}` : ''})${said ? `: ${said}` : ''}`, { hint, details });
  const { status } = failure;
  if (status === 401 || status === 403) {
    return make('opensandbox.unauthorized', 'the server refused the API key', `check backend.api_key (e.g. OPEN_SANDBOX_API_KEY) against the server's key at ${url}`);
  }
  if (status === 404) return make('opensandbox.not_found', 'no such sandbox', 'it was removed outside owctl or expired; `owctl plan` shows the current state');
  if (status === 409) return make('opensandbox.conflict', 'the server refused the change in the sandbox\'s current state', 'run `owctl plan` again: the sandbox changed since it was observed');
  if (status === 400 || status === 422) {
    return make('opensandbox.invalid_request', 'the server rejected the request', 'fix the value named above in the file (`owctl validate` checks what it can), then run again');
  }
  if (serverCode !== undefined && /IMAGE_PULL/i.test(serverCode)) {
    return make('opensandbox.image_pull', 'the server could not pull the image', 'check the image reference, and that the server can reach its registry (and has credentials for it)');
  }
  return make('opensandbox.server_error', 'the server failed', `see the OpenSandbox server's log${failure.requestId ? ` for request ${failure.requestId}` : ''}; run again once it is healthy`);
}

/** No HTTP answer at all: the server is down, unreachable, or too slow. `code` is undici's or the OS's stable code. */
export function unreachable(url: string, code: string | undefined, timedOut: boolean): OwctlError {
  const what = timedOut ? 'did not answer in time' : `is unreachable${code ? ` (${code})` : ''}`;
  return new OwctlError('opensandbox.unreachable', `the OpenSandbox server at ${url} ${what}`, {
    hint: `check backend.url and that the server runs (\`curl ${url}/health\`)${timedOut ? '; raise backend.request_timeout for slow image pulls' : ''}`,
    details: { url, ...(code ? { network_code: code } : {}) },
  });
}
