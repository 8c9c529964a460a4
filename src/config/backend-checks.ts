/**
 * The `backend:` block, and the sandbox keys a backend cannot honour. Each problem is reported at the key's own
 * line (or the `defaults` line it came from), names the backend and says what to do instead.
 */
import type { BackendSpec, DesiredSandbox } from '../model/desired.ts';
import type { Issue, Segment } from './issue.ts';
import { isMapping } from './merge.ts';
import { parseDuration } from './units.ts';

const DEFAULT_REQUEST_TIMEOUT_SECS = 60;
const OPENSANDBOX_ONLY = ['url', 'api_key', 'renew_on_access', 'request_timeout', 'allow_insecure_http'] as const;
/** Kubernetes label syntax, which OpenSandbox enforces on metadata (values; and each part of a key). */
const LABEL_VALUE = /^(?:[A-Za-z0-9](?:[A-Za-z0-9._-]{0,61}[A-Za-z0-9])?)?$/;
const LABEL_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/;
const LABEL_PREFIX = /^[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?$/;
/** OpenSandbox's renew-on-access extension accepts 300 to 86400 seconds. */
const RENEW_MIN = 300;
const RENEW_MAX = 86_400;
const OPENSANDBOX_MIN_TIMEOUT = 60;

export function normaliseBackend(raw: unknown): { backend: BackendSpec; issues: Issue[] } {
  if (!isMapping(raw)) return { backend: { type: 'msb' }, issues: [] };
  const type = raw.type === 'opensandbox' ? 'opensandbox' : 'msb';
  if (type === 'msb') {
    const stray = OPENSANDBOX_ONLY.filter((key) => raw[key] !== undefined);
    const issues = stray.map((key): Issue => ({
      path: ['backend', key],
      on: 'key',
      message: `${key} only applies to backend type opensandbox; the msb backend runs sandboxes on this machine`,
      hint: 'remove it, or set backend.type: opensandbox',
    }));
    return { backend: { type: 'msb' }, issues };
  }
  const issues: Issue[] = [];
  if (typeof raw.url !== 'string') issues.push({ path: ['backend', 'url'], message: 'missing required key "url" for backend type opensandbox', hint: 'the lifecycle server, e.g. url: http://sandbox.example:8080' });
  if (typeof raw.url === 'string') issues.push(...checkUrl(raw.url, typeof raw.api_key === 'string', raw.allow_insecure_http === true));
  const timeout = raw.request_timeout === undefined ? DEFAULT_REQUEST_TIMEOUT_SECS : parseDuration(raw.request_timeout as string | number);
  const backend: BackendSpec = {
    type: 'opensandbox',
    url: typeof raw.url === 'string' ? raw.url.replace(/\/+$/, '') : '',
    renewOnAccess: raw.renew_on_access === true,
    requestTimeoutSecs: timeout ?? DEFAULT_REQUEST_TIMEOUT_SECS,
    ...(typeof raw.api_key === 'string' ? { apiKey: raw.api_key } : {}),
  };
  return { backend, issues };
}

/** Loopback: 127.0.0.0/8, ::1 and localhost (where plain http never leaves the machine). */
function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127(?:\.\d{1,3}){3}$/.test(host);
}

/** The server URL: no credentials in it (they would be printed), and no API key over plain http to another host. */
function checkUrl(url: string, hasKey: boolean, allowInsecure: boolean): Issue[] {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return []; // the schema's pattern reports it
  }
  if (parsed.username !== '' || parsed.password !== '') {
    return [{ path: ['backend', 'url'], message: 'backend.url carries credentials (user:password@), which would be printed in errors and hints', hint: 'remove them from the URL: the server takes its key in backend.api_key' }];
  }
  if (parsed.protocol !== 'http:' || !hasKey || allowInsecure || isLoopback(parsed.hostname)) return [];
  return [{
    path: ['backend', 'api_key'],
    message: `the API key would travel unencrypted (plain http) to ${parsed.hostname}, which is not this machine`,
    hint: 'use an https:// URL, or set backend.allow_insecure_http: true if the network to the server is trusted',
  }];
}

/** Keys of one merged sandbox (`raw`, as written) that `backend` cannot honour. */
export function checkBackendKeys(raw: Record<string, unknown>, sandbox: DesiredSandbox, backend: BackendSpec): Issue[] {
  if (backend.type !== 'opensandbox') return [];
  const at = (...rest: Segment[]): Segment[] => ['sandboxes', sandbox.name, ...rest];
  const issue = (path: Segment[], message: string, hint: string, on?: 'key'): Issue => ({ path, message: `${message} on the opensandbox backend`, hint, ...(on ? { on } : {}) });
  const issues: Issue[] = [];
  if (raw.pull !== undefined) issues.push(issue(at('pull'), 'there is no image pull policy', 'remove pull: the OpenSandbox server pulls images itself', 'key'));
  if (isMapping(raw.image) && raw.image.archive !== undefined) {
    issues.push(issue(at('image', 'archive'), 'image archives cannot be loaded', 'push the image to a registry the server can pull from and write image: REF', 'key'));
  }
  if (Array.isArray(raw.ports) && raw.ports.length > 0) {
    issues.push(issue(at('ports'), 'host ports cannot be chosen', 'remove ports: owctl asks the server for the address of the OpenWork server\'s guest port (server.port, default 8787; `owctl connect NAME` shows it)', 'key'));
  }
  sandbox.mounts.forEach((mount, index) => {
    if (mount?.type === 'tmpfs') issues.push(issue(at('mounts', index, 'type'), 'tmpfs mounts do not exist', 'remove it, or use a volume (a PVC on Kubernetes) or a bind mount the server allows'));
  });
  if (raw.command === undefined) {
    issues.push(issue(at(), 'the server needs the start command (it cannot read the image\'s entrypoint)', `set sandboxes.${sandbox.name}.command (or defaults.command) to the OpenWork server's start command`, 'key'));
  }
  const idle = sandbox.idleTimeoutSecs;
  if (idle !== undefined && !backend.renewOnAccess) {
    issues.push(issue(at('idle_timeout'), 'idle_timeout needs the server\'s renew-on-access extension', 'use max_duration, or set backend.renew_on_access: true if the server has the extension', 'key'));
  } else if (idle !== undefined && (idle < RENEW_MIN || idle > RENEW_MAX)) {
    issues.push(issue(at('idle_timeout'), `idle_timeout must be from 5m to 24h (renew-on-access extends by ${RENEW_MIN}-${RENEW_MAX} seconds)`, 'choose a value from 5m to 24h'));
  }
  if (sandbox.maxDurationSecs !== undefined && sandbox.maxDurationSecs < OPENSANDBOX_MIN_TIMEOUT) {
    issues.push(issue(at('max_duration'), 'max_duration must be at least 60s', 'use 1m or more, or leave it out for no expiry'));
  }
  issues.push(...checkLabels(sandbox, at));
  return issues;
}

function checkLabels(sandbox: DesiredSandbox, at: (...rest: Segment[]) => Segment[]): Issue[] {
  const issues: Issue[] = [];
  for (const [key, value] of Object.entries(sandbox.labels)) {
    const slash = key.lastIndexOf('/');
    const prefix = slash < 0 ? undefined : key.slice(0, slash);
    const name = slash < 0 ? key : key.slice(slash + 1);
    if (prefix === 'opensandbox.io' || prefix?.endsWith('.opensandbox.io')) {
      issues.push({ path: at('labels', key), on: 'key', message: `${JSON.stringify(key)} uses the opensandbox.io/ prefix, which the OpenSandbox server reserves`, hint: 'choose another label key' });
    } else if (!LABEL_NAME.test(name) || (prefix !== undefined && !LABEL_PREFIX.test(prefix))) {
      issues.push({ path: at('labels', key), on: 'key', message: `${JSON.stringify(key)} is not a Kubernetes label key, which the opensandbox backend requires`, hint: 'use [prefix/]name with a name of up to 63 letters, digits, . _ -' });
    }
    if (!LABEL_VALUE.test(value)) {
      issues.push({ path: at('labels', key), message: `${JSON.stringify(value)} is not a Kubernetes label value, which the opensandbox backend requires`, hint: 'up to 63 letters, digits, . _ -, starting and ending with a letter or digit' });
    }
  }
  return issues;
}
