/**
 * The stand-in's egress sidecar (tests only; see README.md): one per sandbox created with a `networkPolicy`, reached
 * as the real Docker bridge runtime exposes it, `127.0.0.1:<port>/proxy/18080` with the sandbox's
 * `OPENSANDBOX-EGRESS-AUTH` token. It answers `/policy` and `/credential-vault` as the egress spec
 * (../shared/data/opensandbox/egress-api.yaml) and the upstream sidecar do: errors are text/plain, credential values
 * are write-only (every answer is sanitized, sorted by name), vault writes need the token and the credential proxy
 * (412), bindings need an explicit allow rule for each host and ports among the intercepted 80/443 (400).
 * The stored values are kept only so tests can read what the sidecar would inject (`injected`).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Exchange } from './standin.ts';
import { readBody } from './read-body.ts';
import { bindingProblem, mutate, sanitized, validTarget, type Binding, type Credential, type Mutation, type Vault } from './vault-model.ts';

export const EGRESS_PORT = 18080;
export const EGRESS_AUTH = 'OPENSANDBOX-EGRESS-AUTH';

export interface Rule {
  action: 'allow' | 'deny';
  target: string;
}
export interface Policy {
  defaultAction?: 'allow' | 'deny';
  egress?: Rule[];
}

export interface SidecarOptions {
  policy: Policy;
  credentialProxy: boolean;
  /** The sandbox's egress token; '' models a sidecar that checks none (it then refuses vault writes, 412). */
  token: string;
  record: (exchange: Exchange) => void;
}

export class EgressSidecar {
  private server?: Server;
  private port = 0;
  policy: Policy;
  vault: Vault | undefined;

  constructor(private readonly options: SidecarOptions) {
    this.policy = { defaultAction: options.policy.defaultAction ?? 'deny', egress: [...(options.policy.egress ?? [])] };
  }

  get token(): string {
    return this.options.token;
  }

  /** The endpoint the lifecycle API answers for port 18080 (no scheme, as the real server answers). */
  get endpoint(): string {
    return `127.0.0.1:${this.port}/proxy/${EGRESS_PORT}`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  /** The headers the sidecar would inject for a credential's binding (tests only: proves the value arrived). */
  injected(bindingName: string): Record<string, string> | undefined {
    const binding = this.vault?.bindings.get(bindingName);
    if (!binding || !this.vault) return undefined;
    const value = (name: string) => this.vault!.credentials.get(name)?.value ?? '';
    const auth = binding.auth;
    if (auth.type === 'bearer') return { Authorization: `Bearer ${value(auth.credential!)}` };
    if (auth.type === 'basic') return { Authorization: `Basic ${value(auth.credential!)}` };
    if (auth.type === 'apiKey') return { [auth.name!]: value(auth.credential!) };
    return Object.fromEntries((auth.headers ?? []).map((h) => [h.name, value(h.credential)]));
  }

  private mode(): string {
    const rules = this.policy.egress ?? [];
    if (rules.length === 0) return this.policy.defaultAction === 'allow' ? 'allow_all' : 'deny_all';
    return 'enforcing';
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sidecar');
    const path = url.pathname.replace(new RegExp(`^/proxy/${EGRESS_PORT}(?=/)`), '');
    const body = await readBody(req);
    const method = req.method ?? 'GET';
    const send = (status: number, payload?: unknown) => {
      const plain = typeof payload === 'string';
      this.options.record({ method, path, query: url.search, requestBody: body, status, responseBody: payload, headers: {} });
      res.writeHead(status, payload === undefined ? {} : { 'content-type': plain ? 'text/plain; charset=utf-8' : 'application/json' });
      res.end(payload === undefined ? undefined : plain ? `${payload}\n` : JSON.stringify(payload));
    };
    const given = req.headers[EGRESS_AUTH.toLowerCase()];
    if (this.options.token !== '' && given !== this.options.token) return send(401, 'unauthorized');
    if (path === '/policy') return this.policyRoute(method, body, send);
    if (path === '/credential-vault') return this.vaultRoute(method, body, send);
    const sub = /^\/credential-vault\/(credentials|bindings)(?:\/([^/]+))?$/.exec(path);
    if (sub && method === 'GET') return this.vaultRead(sub[1] as 'credentials' | 'bindings', sub[2] === undefined ? undefined : decodeURIComponent(sub[2]), send);
    return send(404, 'not found');
  }

  private policyRoute(method: string, body: unknown, send: (status: number, payload?: unknown) => void): void {
    if (method === 'GET') return send(200, { status: 'ok', mode: this.mode(), enforcementMode: 'dns', policy: this.policy });
    if (method === 'PATCH') {
      if (!Array.isArray(body) || body.length === 0) return send(400, 'invalid policy patch: expected a non-empty array of rules');
      const incoming: Rule[] = [];
      for (const rule of body as Rule[]) {
        if ((rule?.action !== 'allow' && rule?.action !== 'deny') || typeof rule.target !== 'string') return send(400, 'invalid rule: action and target are required');
        if (!validTarget(rule.target)) return send(400, `invalid rule target ${JSON.stringify(rule.target)}: FQDN or wildcard domain only (IP/CIDR not supported)`);
        // Duplicate targets within one patch: the first wins.
        if (!incoming.some((r) => r.target === rule.target)) incoming.push({ action: rule.action, target: rule.target });
      }
      const kept = (this.policy.egress ?? []).filter((r) => !incoming.some((i) => i.target === r.target));
      this.policy = { ...this.policy, egress: [...incoming, ...kept] };
      return send(200, { status: 'ok', mode: this.mode(), enforcementMode: 'dns' });
    }
    if (method === 'DELETE') {
      if (!Array.isArray(body) || body.length === 0 || body.some((t) => typeof t !== 'string')) return send(400, 'invalid delete: expected a non-empty array of targets');
      this.policy = { ...this.policy, egress: (this.policy.egress ?? []).filter((r) => !(body as string[]).includes(r.target)) };
      return send(200, { status: 'ok', mode: this.mode(), enforcementMode: 'dns' });
    }
    return send(405, 'method not allowed');
  }

  /** 412 when Credential Proxy's prerequisites are missing: the egress token, the transparent MITM proxy. */
  private notReady(): string | undefined {
    if (this.options.token === '') return 'credential vault requires egress API auth token';
    if (!this.options.credentialProxy) return 'credential vault requires transparent mitmproxy';
    return undefined;
  }

  private vaultRoute(method: string, body: unknown, send: (status: number, payload?: unknown) => void): void {
    if (method === 'GET') return this.vault ? send(200, sanitized(this.vault)) : send(404, 'credential vault not found');
    const blocked = this.notReady();
    if (blocked !== undefined && ['POST', 'PATCH', 'DELETE'].includes(method)) return send(412, blocked);
    if (method === 'POST') {
      if (this.vault) return send(409, 'credential vault already exists');
      const input = body as { credentials?: Credential[]; bindings?: Binding[] } | undefined;
      if (!Array.isArray(input?.credentials) || !Array.isArray(input?.bindings)) return send(400, 'invalid credential vault request: credentials and bindings are required');
      const created = mutate({ revision: 0, credentials: new Map(), bindings: new Map() }, { credentials: { add: input.credentials }, bindings: { add: input.bindings } });
      if (typeof created === 'string') return send(400, created);
      const problem = bindingProblem(created, this.policy);
      if (problem) return send(400, problem);
      this.vault = created;
      return send(201, sanitized(created));
    }
    if (method === 'PATCH') {
      if (!this.vault) return send(404, 'credential vault not found');
      const input = (body ?? {}) as Mutation;
      if (input.expectedRevision !== undefined && input.expectedRevision !== this.vault.revision) {
        return send(409, `expectedRevision ${input.expectedRevision} does not match current revision ${this.vault.revision}`);
      }
      const next = mutate(this.vault, input);
      if (typeof next === 'string') return send(400, next);
      const problem = bindingProblem(next, this.policy);
      if (problem) return send(400, problem);
      this.vault = next;
      return send(200, sanitized(next));
    }
    if (method === 'DELETE') {
      if (!this.vault) return send(404, 'credential vault not found');
      this.vault = undefined;
      return send(204);
    }
    return send(405, 'method not allowed');
  }

  private vaultRead(kind: 'credentials' | 'bindings', name: string | undefined, send: (status: number, payload?: unknown) => void): void {
    if (!this.vault) return send(404, 'credential vault not found');
    const state = sanitized(this.vault);
    if (name === undefined) return send(200, kind === 'credentials' ? { revision: state.revision, credentials: state.credentials } : { revision: state.revision, bindings: state.bindings });
    const found = (state[kind] as Array<{ name: string }>).find((item) => item.name === name);
    return found ? send(200, found) : send(404, `${kind === 'credentials' ? 'credential' : 'binding'} not found`);
  }
}

export interface EgressServerOptions {
  /** The server's `[egress].image` is configured (default true): without it a networkPolicy is refused. */
  image?: boolean;
  /** Docker `network_mode = "host"` (the stand-in's `endpointMode: 'host'`): networkPolicy is refused. */
  hostNetwork?: boolean;
}

/**
 * What the lifecycle server says to a create's networkPolicy and credentialProxy before provisioning: FastAPI's 422
 * for a shape error or `credentialProxy.enabled` without a policy (a request validator), 400 INVALID_PARAMETER for
 * host networking or a missing egress image (the Docker runtime's checks). undefined: accepted.
 */
export function egressCreateProblem(input: Record<string, unknown>, server: EgressServerOptions): { status: number; payload: unknown } | undefined {
  const policy = input.networkPolicy as Policy | null | undefined;
  const proxy = input.credentialProxy as { enabled?: unknown } | null | undefined;
  const invalid = (loc: string[], msg: string, value: unknown) => ({ status: 422, payload: { detail: [{ type: 'value_error', loc: ['body', ...loc], msg, input: value }] } });
  if (proxy?.enabled === true && (policy === undefined || policy === null)) return invalid([], 'Value error, credentialProxy.enabled requires networkPolicy.', null);
  if (policy === undefined || policy === null) return undefined;
  if (policy.defaultAction !== undefined && policy.defaultAction !== 'allow' && policy.defaultAction !== 'deny') return invalid(['networkPolicy', 'defaultAction'], "Input should be 'allow' or 'deny'", policy.defaultAction);
  for (const [i, rule] of (policy.egress ?? []).entries()) {
    if (rule?.action !== 'allow' && rule?.action !== 'deny') return invalid(['networkPolicy', 'egress', String(i), 'action'], "Input should be 'allow' or 'deny'", rule?.action);
    if (typeof rule.target !== 'string' || !validTarget(rule.target)) return { status: 400, payload: { code: 'SANDBOX::INVALID_PARAMETER', message: `networkPolicy.egress[${i}].target must be an FQDN or wildcard domain; IP/CIDR targets are not supported.` } };
  }
  if (server.hostNetwork) return { status: 400, payload: { code: 'SANDBOX::INVALID_PARAMETER', message: 'networkPolicy is not supported when docker network_mode=host.' } };
  if (server.image === false) return { status: 400, payload: { code: 'SANDBOX::INVALID_PARAMETER', message: 'networkPolicy requires the egress sidecar image ([egress].image) to be configured on the server.' } };
  return undefined;
}
