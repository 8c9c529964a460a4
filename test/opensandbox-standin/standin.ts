/**
 * A test-only stand-in for an OpenSandbox lifecycle server (see README.md beside this file): stateful, answering
 * like the real server's Docker runtime, with each sandbox running the OpenWork server fixture with its env.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startOpencode } from '../fixture/opencode-process.mjs';
import type { OpencodeHandle } from '../fixture/opencode-process.mjs';
import { type EventOpencode, startEventOpencode } from '../helpers/event-opencode.ts';
import { startFixture, type RunningFixture } from '../fixture/start-fixture.ts';
import { EGRESS_AUTH, EGRESS_PORT, EgressSidecar, egressCreateProblem, type EgressServerOptions } from './egress-sidecar.ts';
import { commandRoute, type GuestShell } from './execd-commands.ts';
import { readBody } from './read-body.ts';

export interface StandinOptions {
  apiKey?: string;
  /** Images the "registry" has; any other is an image pull failure. */
  images?: string[];
  /**
   * How `GET /sandboxes/{id}/endpoints/{port}` answers, as the real server's runtimes do:
   * - `bridge` (default; Docker `network_mode = "bridge"`): `127.0.0.1:<execd port>/proxy/<port>`, a different
   *   address per sandbox, forwarded by the sandbox's execd;
   * - `host` (Docker `network_mode = "host"`): `127.0.0.1:<port>` for **every** sandbox; the server listens on the
   *   guest port itself, so a second sandbox with the same port cannot bind it and exits (→ `Failed`);
   * - `gateway` (Kubernetes): `127.0.0.1:<standin>/gateway/…` plus a required routing header.
   */
  endpointMode?: 'bridge' | 'host' | 'gateway';
  /** An image's first tag as Docker orders them, which `image.uri` reads back instead of the string sent. */
  firstTags?: Record<string, string>;
  /** Images whose command exits at once with this code (the sandbox turns Failed or Terminated after create). */
  exitingImages?: Record<string, number>;
  /** The server's `max_sandbox_timeout_seconds`: a create timeout above it is 400 `SANDBOX::INVALID_PARAMETER`. */
  maxTimeoutSecs?: number;
  /** Extra env for every fixture. */
  fixtureEnv?: Record<string, string>;
  /**
   * `stand-in` (default): every sandbox's fixture proxies to one in-process stand-in of OpenCode's session, event and
   * health routes (test/helpers/event-opencode.ts). Fidelity: no real OpenCode behind the OpenSandbox tests, whose
   * facts are the backend's; a real one costs 10-30 s and half a minute of CPU per start here. The real OpenCode
   * behind the fixture is proven in test/fixture/, the stand-in's routes against it in test/fixture/event-stream.test.ts.
   * `shared`: one real `opencode serve` for every sandbox (a session folder each), since an opencode process per
   * sandbox costs about half a minute of CPU on its first session; `own`: each fixture starts its own, as a real
   * sandbox would.
   */
  opencode?: 'stand-in' | 'shared' | 'own';
  /**
   * The Kubernetes runtime: create answers 202 with the sandbox `Pending` until its pod is scheduled and ready, here
   * for `reads` reads of it (Infinity: never, e.g. no node has room), with the scheduler's reason and message.
   */
  pending?: { reads: number; reason?: string; message?: string };
  /** The egress sidecar's server settings (networkPolicy, credentialProxy; egress-sidecar.ts). */
  egress?: EgressServerOptions;
}

export interface Exchange {
  method: string;
  path: string;
  query: string;
  requestBody: unknown;
  status: number;
  responseBody: unknown;
  headers: Record<string, string>;
}

interface Box {
  id: string;
  image: string;
  entrypoint: string[];
  env: Record<string, string>;
  metadata: Record<string, string>;
  state: string;
  /** Reads left before a Pending sandbox turns Running. */
  pendingReads?: number;
  createdAt: string;
  expiresAt: string | null;
  /** The expiry create set: what a server restart falls back to (renewals live only in memory). */
  createdExpiresAt: string | null;
  status?: { reason: string; message: string; at: string };
  /** Exits with this code at its next read by id. */
  exitOnRead?: number;
  fixture?: RunningFixture;
  /** The sandbox's execd (bridge and gateway modes): `/proxy/<port>/…` to its server (bridge), `/command` in its guest. */
  execd?: Server;
  workspace?: string;
  /** Started when the sandbox was created with a networkPolicy. */
  sidecar?: EgressSidecar;
  /** Variables the guest's shell sets over the create request's env (`guestEnv`), seen by execd's commands. */
  guestEnv?: Record<string, string>;
  /** Host-path volumes (`host.path` → `mountPath`): the server's files under them outlive the sandbox. */
  mounts?: Array<{ guest: string; host: string }>;
}

/** With host volumes, the fixture keeps its files (the token store) where the guest paths say: under a volume, else in a root filesystem removed with the sandbox. */
function guestFiles(box: Box): Record<string, string> {
  if (box.mounts === undefined) return {};
  return { OPENWORK_FIXTURE_ROOTFS: join(box.workspace!, '.rootfs'), OPENWORK_FIXTURE_MOUNTS: JSON.stringify(box.mounts) };
}

const LABEL_VALUE = /^(?:[A-Za-z0-9](?:[A-Za-z0-9._-]{0,61}[A-Za-z0-9])?)?$/;
const LABEL_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/;
const INGRESS = 'OPEN-SANDBOX-INGRESS';
/** The port execd listens on inside every sandbox (the upstream SDKs' default). */
export const EXECD_PORT = 44772;

function labelProblem(key: string, value: unknown): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash < 0 ? '' : key.slice(0, slash);
  if (prefix === 'opensandbox.io' || prefix.endsWith('.opensandbox.io')) return `metadata key ${key} uses the reserved prefix opensandbox.io/`;
  if (!LABEL_NAME.test(slash < 0 ? key : key.slice(slash + 1))) return `metadata key ${key} is not a valid label key`;
  if (typeof value !== 'string' || !LABEL_VALUE.test(value)) return `metadata value for ${key} is not a valid label value`;
  return undefined;
}

export class OpenSandboxStandin {
  private server?: Server;
  private readonly boxes = new Map<string, Box>();
  private readonly log: Exchange[] = [];
  private port = 0;
  private busy = 0;
  private opencode?: OpencodeHandle;
  private eventOpencode?: Promise<EventOpencode>;

  constructor(private readonly options: StandinOptions = {}) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  exchanges(): Exchange[] {
    return [...this.log];
  }

  private readonly egressLog: Exchange[] = [];

  /** Every request to a sandbox's egress sidecar (`/policy`, `/credential-vault`), checked against the egress spec. */
  egressExchanges(): Exchange[] {
    return [...this.egressLog];
  }

  private readonly execdLog: Exchange[] = [];

  /** Every command run through a sandbox's execd (`POST /command`), checked against the execd spec. */
  execdExchanges(): Exchange[] {
    return [...this.execdLog];
  }

  /** Variables the sandbox's guest shell exports over its create env (tests: an image that sets a credential's value). */
  guestEnv(id: string, vars: Record<string, string>): void {
    const box = this.boxes.get(id);
    if (!box) throw new Error(`no sandbox ${id}`);
    box.guestEnv = vars;
  }

  /** The egress sidecar of a live sandbox, by id (tests inspect its policy and vault). */
  sidecar(id: string): EgressSidecar | undefined {
    return this.boxes.get(id)?.sidecar;
  }

  /** Every live sandbox as the server holds it (tests inspect env and metadata here). */
  sandboxes(): Array<Omit<Box, 'fixture'> & { url?: string }> {
    return [...this.boxes.values()].map(({ fixture, ...rest }) => ({ ...rest, url: fixture?.url }));
  }

  /** A sandbox made outside owctl (another project, or no owctl metadata at all). */
  async seed(metadata: Record<string, string>, env: Record<string, string> = {}): Promise<string> {
    const box = await this.boot({ image: this.options.images?.[0] ?? 'openwork:dev', entrypoint: ['/entry'], env, metadata, timeout: null });
    return box.id;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
  }

  private stopped = false;

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.boxes.values()].map((box) => this.halt(box)));
    this.boxes.clear();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
    await this.opencode?.stop();
    await (await this.eventOpencode?.catch(() => undefined))?.close();
  }

  private async halt(box: Box): Promise<void> {
    if (box.state === 'Paused' && box.fixture) process.kill(box.fixture.pid, 'SIGCONT'); // a frozen process cannot exit
    await box.fixture?.stop();
    await box.sidecar?.stop();
    if (box.execd) await new Promise<void>((resolve) => box.execd!.close(() => resolve()));
    if (box.workspace) await rm(box.workspace, { recursive: true, force: true });
  }

  private async boot(input: { image: string; entrypoint: string[]; env: Record<string, string>; metadata: Record<string, string>; timeout: number | null; mounts?: Box['mounts'] }): Promise<Box> {
    const now = new Date();
    const box: Box = {
      id: randomUUID(),
      image: input.image,
      entrypoint: input.entrypoint,
      env: input.env,
      metadata: input.metadata,
      state: this.options.pending ? 'Pending' : 'Running',
      ...(this.options.pending ? { pendingReads: this.options.pending.reads } : {}),
      createdAt: now.toISOString(),
      expiresAt: input.timeout === null ? null : new Date(now.getTime() + input.timeout * 1000).toISOString(),
      createdExpiresAt: input.timeout === null ? null : new Date(now.getTime() + input.timeout * 1000).toISOString(),
      workspace: await mkdtemp(join(tmpdir(), 'owctl-standin-')),
      ...(input.mounts !== undefined && input.mounts.length > 0 ? { mounts: input.mounts } : {}),
    };
    const exitCode = this.options.exitingImages?.[input.image];
    // A Pending sandbox's pod is not running yet: its server starts when it turns Running.
    if (exitCode !== undefined) this.exited(box, exitCode);
    else if (box.state === 'Running') await this.startServer(box);
    this.boxes.set(box.id, box);
    return box;
  }

  private async startServer(box: Box): Promise<void> {
    const clientToken = box.env.OPENWORK_TOKEN ?? '';
    const hostToken = box.env.OPENWORK_HOST_TOKEN ?? '';
    if (clientToken === '' || hostToken === '') return;
    // Host networking: the server binds the guest port on the host itself (taken → it exits, EADDRINUSE).
    const listen: Record<string, string> = this.mode() === 'host' ? { OPENWORK_FIXTURE_LISTEN_PORT: String(serverPortOf(box)) } : {};
    try {
      box.fixture = await startFixture({
        clientToken,
        hostToken,
        env: { ...box.env, OPENWORK_WORKSPACE: box.workspace!, ...guestFiles(box), ...(await this.sharedOpencode(box.workspace!)), ...this.options.fixtureEnv, ...listen },
        startTimeoutMs: 30_000,
      });
    } catch {
      // The container's command exited: the runtime reports the sandbox Failed with the exit code.
      this.exited(box, 1);
      return;
    }
    const shell: GuestShell = { env: () => ({ ...box.env, ...box.guestEnv }), record: (e) => this.execdLog.push(e) };
    // Host networking has no per-sandbox execd address to model; the gateway routes port 44772 to this one.
    if (this.mode() !== 'host') box.execd = await startExecd(box.fixture, serverPortOf(box), shell);
    // Stopped while this server started (a client that gave up, a test that ended): it must not outlive the stand-in.
    if (this.stopped) await this.halt(box);
  }

  private mode(): 'bridge' | 'host' | 'gateway' {
    return this.options.endpointMode ?? 'bridge';
  }

  /** The container exited: `Failed` (`CONTAINER_EXITED_ERROR`) for a non-zero code, `Terminated` for 0. */
  private exited(box: Box, code: number): void {
    box.state = code === 0 ? 'Terminated' : 'Failed';
    box.status = { reason: code === 0 ? 'CONTAINER_EXITED' : 'CONTAINER_EXITED_ERROR', message: `Sandbox container exited with code ${code}.`, at: new Date().toISOString() };
  }

  /** The sandbox's command exits now with `code` (tests: a server that crashes after create). */
  async exit(id: string, code: number): Promise<void> {
    const box = this.boxes.get(id);
    if (!box) throw new Error(`no sandbox ${id}`);
    await box.fixture?.stop();
    box.fixture = undefined;
    this.exited(box, code);
  }

  /** The sandbox's command exits with `code` when it is next read by id (a crash while a client waits on it). */
  exitOnRead(id: string, code: number): void {
    const box = this.boxes.get(id);
    if (!box) throw new Error(`no sandbox ${id}`);
    box.exitOnRead = code;
  }

  /**
   * A server restart: renewals are lost (Docker labels cannot be edited, so `expiresAt` falls back to the value
   * create set); metadata PATCHes survive.
   */
  restart(): void {
    for (const box of this.boxes.values()) box.expiresAt = box.createdExpiresAt;
  }

  private async sharedOpencode(directory: string): Promise<Record<string, string>> {
    const mode = this.options.opencode ?? 'stand-in';
    if (mode === 'stand-in') {
      this.eventOpencode ??= startEventOpencode();
      return { OPENWORK_FIXTURE_OPENCODE_URL: (await this.eventOpencode).url, OPENWORK_FIXTURE_OPENCODE_DIRECTORY: directory };
    }
    if (mode !== 'shared') return {};
    if (this.opencode === undefined) {
      // Started with the first sandbox that runs a server; a failed start is reported by that sandbox's boot.
      this.opencode = startOpencode();
      this.opencode.ready.catch(() => undefined);
    }
    const ready = await this.opencode.ready;
    return { OPENWORK_FIXTURE_OPENCODE_URL: ready.url, OPENWORK_FIXTURE_OPENCODE_PASSWORD: this.opencode.password, OPENWORK_FIXTURE_OPENCODE_DIRECTORY: directory };
  }

  private view(box: Box): Record<string, unknown> {
    return {
      id: box.id,
      image: { uri: this.options.firstTags?.[box.image] ?? box.image },
      status: box.status
        ? { state: box.state, reason: box.status.reason, message: box.status.message, lastTransitionAt: box.status.at }
        : {
            state: box.state,
            reason: box.state === 'Running' ? 'CONTAINER_RUNNING' : box.state === 'Pending' ? (this.options.pending?.reason ?? 'POD_PENDING') : box.state.toUpperCase(),
            ...(box.state === 'Pending' && this.options.pending?.message ? { message: this.options.pending.message } : {}),
            lastTransitionAt: box.createdAt,
          },
      metadata: box.metadata,
      entrypoint: box.entrypoint,
      // Omitted (not null) for a sandbox without expiry, as the spec says.
      ...(box.expiresAt === null ? {} : { expiresAt: box.expiresAt }),
      createdAt: box.createdAt,
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://standin');
    const path = url.pathname.replace(/^\/v1(?=\/)/, '');
    if (path.startsWith('/gateway')) return this.gateway(req, res, path);
    const body = await readBody(req);
    const headers: Record<string, string> = { 'x-request-id': randomBytes(16).toString('hex') };
    const send = (status: number, payload?: unknown) => {
      this.log.push({ method: req.method ?? 'GET', path, query: url.search, requestBody: body, status, responseBody: payload, headers });
      res.writeHead(status, payload === undefined ? headers : { ...headers, 'content-type': 'application/json' });
      res.end(payload === undefined ? undefined : JSON.stringify(payload));
    };
    if (path === '/health') return send(200, { healthy: true });
    if (this.options.apiKey !== undefined && req.headers['open-sandbox-api-key'] !== this.options.apiKey) {
      // Bare codes here, namespaced ones elsewhere: the real server mixes both.
      const missing = req.headers['open-sandbox-api-key'] === undefined;
      return send(401, { code: missing ? 'MISSING_API_KEY' : 'INVALID_API_KEY', message: missing ? 'Authentication credentials were not provided' : 'Invalid API key' });
    }
    this.busy += 1;
    try {
      await this.route(req.method ?? 'GET', path, url.searchParams, body, send);
    } catch (error) {
      send(500, { code: 'INTERNAL_ERROR', message: String((error as Error).message) });
    } finally {
      this.busy -= 1;
    }
  }

  private async route(method: string, path: string, query: URLSearchParams, body: unknown, send: (status: number, payload?: unknown) => void): Promise<void> {
    const notFound = (id: string) => send(404, { code: 'DOCKER::SANDBOX_NOT_FOUND', message: `Sandbox ${id} not found` });
    if (path === '/sandboxes' && method === 'POST') return this.create(body, send);
    if (path === '/sandboxes' && method === 'GET') return this.list(query, send);
    const match = /^\/sandboxes\/([^/]+)(?:\/(metadata|pause|resume|renew-expiration|endpoints\/(\d+)))?$/.exec(path);
    if (!match) return send(404, { code: 'NOT_FOUND', message: `no route ${method} ${path}` });
    const [, id, action, port] = match;
    const box = this.boxes.get(id!);
    if (!box) return notFound(id!);
    if (action === undefined && method === 'GET') {
      if (box.exitOnRead !== undefined) await this.exit(box.id, box.exitOnRead);
      box.exitOnRead = undefined;
      if (box.state === 'Pending' && box.pendingReads !== undefined && --box.pendingReads <= 0) {
        await this.startServer(box);
        box.state = 'Running';
      }
      return send(200, this.view(box));
    }
    if (action === undefined && method === 'DELETE') {
      this.boxes.delete(box.id);
      await this.halt(box);
      return send(204);
    }
    if (action === 'metadata' && method === 'PATCH') return this.patch(box, body, send);
    // A paused container's processes are frozen (the runtime's cgroup freezer): its server stops answering.
    if (action === 'pause' && method === 'POST') {
      if (box.state === 'Paused') return send(500, { code: 'DOCKER::SANDBOX_PAUSE_FAILED', message: `Failed to pause sandbox ${box.id}: container is already paused` });
      box.state = 'Paused';
      if (box.fixture) process.kill(box.fixture.pid, 'SIGSTOP');
      return send(202);
    }
    if (action === 'resume' && method === 'POST') {
      if (box.state !== 'Paused') return send(409, { code: 'DOCKER::SANDBOX_NOT_PAUSED', message: `Sandbox ${box.id} is not paused` });
      box.state = 'Running';
      if (box.fixture) process.kill(box.fixture.pid, 'SIGCONT');
      return send(202);
    }
    if (action === 'renew-expiration' && method === 'POST') {
      const expiresAt = (body as { expiresAt?: unknown } | undefined)?.expiresAt;
      if (typeof expiresAt !== 'string' || Number.isNaN(Date.parse(expiresAt))) return send(422, { detail: [{ type: 'missing', loc: ['body', 'expiresAt'], msg: 'Field required', input: body }] });
      if (box.expiresAt === null) return send(409, { code: 'SANDBOX_NO_EXPIRATION', message: 'Sandbox was created without expiration and cannot be renewed' });
      if (Date.parse(expiresAt) <= Date.parse(box.expiresAt)) return send(400, { code: 'INVALID_EXPIRATION', message: 'New expiration must be after the current one' });
      box.expiresAt = new Date(Date.parse(expiresAt)).toISOString();
      return send(200, { expiresAt: box.expiresAt });
    }
    if (port !== undefined && method === 'GET') return this.endpoint(box, Number(port), send);
    return send(405, { code: 'METHOD_NOT_ALLOWED', message: `${method} ${path}` });
  }

  private async create(body: unknown, send: (status: number, payload?: unknown) => void): Promise<void> {
    const input = (body ?? {}) as Record<string, unknown>;
    const detail: Array<Record<string, unknown>> = [];
    const image = input.image as { uri?: unknown } | undefined;
    if (typeof image?.uri !== 'string' || image.uri === '') detail.push({ type: 'missing', loc: ['body', 'image', 'uri'], msg: 'Field required', input: image ?? null });
    if (!Array.isArray(input.entrypoint) || input.entrypoint.length === 0) detail.push({ type: 'value_error', loc: ['body', 'entrypoint'], msg: 'entrypoint is required when image is provided', input: input.entrypoint ?? null });
    if (input.timeout !== undefined && input.timeout !== null && !(Number.isInteger(input.timeout) && (input.timeout as number) >= 60)) {
      detail.push({ type: 'greater_than_equal', loc: ['body', 'timeout'], msg: 'Input should be greater than or equal to 60', input: input.timeout });
    }
    const env = (input.env ?? {}) as Record<string, unknown>;
    for (const [key, value] of Object.entries(env)) if (typeof value !== 'string') detail.push({ type: 'string_type', loc: ['body', 'env', key], msg: 'Input should be a valid string', input: value });
    if (detail.length > 0) return send(422, { detail });
    const max = this.options.maxTimeoutSecs;
    if (max !== undefined && typeof input.timeout === 'number' && input.timeout > max) {
      return send(400, { code: 'SANDBOX::INVALID_PARAMETER', message: `Sandbox timeout ${input.timeout}s exceeds configured maximum of ${max}s.` });
    }
    const metadata = (input.metadata ?? {}) as Record<string, string>;
    for (const [key, value] of Object.entries(metadata)) {
      const problem = labelProblem(key, value);
      if (problem) return send(400, { code: 'SANDBOX::INVALID_METADATA_LABEL', message: problem });
    }
    const egress = egressCreateProblem(input, { ...this.options.egress, hostNetwork: this.mode() === 'host' });
    if (egress) return send(egress.status, egress.payload);
    const images = this.options.images ?? ['openwork:dev'];
    if (!images.includes(image!.uri as string)) {
      return send(500, { code: 'DOCKER::SANDBOX_IMAGE_PULL_FAILED', message: `Failed to pull image ${String(image!.uri)}: pull access denied, repository does not exist or may require 'docker login'` });
    }
    const volumes = Array.isArray(input.volumes) ? (input.volumes as Array<{ host?: { path?: string }; mountPath?: string }>) : [];
    const mounts = volumes.flatMap((v) => (typeof v.host?.path === 'string' && typeof v.mountPath === 'string' ? [{ guest: v.mountPath, host: v.host.path }] : []));
    const box = await this.boot({ image: image!.uri as string, entrypoint: input.entrypoint as string[], env: env as Record<string, string>, metadata, timeout: (input.timeout as number | null | undefined) ?? null, mounts });
    if (input.networkPolicy) {
      const proxy = (input.credentialProxy as { enabled?: boolean } | undefined)?.enabled === true;
      box.sidecar = new EgressSidecar({ policy: input.networkPolicy, credentialProxy: proxy, token: randomBytes(24).toString('base64url'), record: (e) => this.egressLog.push(e) });
      await box.sidecar.start();
    }
    // The Docker runtime answers `Running` synchronously; a command that exits turns it Failed about a second later.
    const { image: _image, ...created } = box.status ? { ...this.view({ ...box, state: 'Running', status: undefined }) } : this.view(box);
    void _image;
    return send(202, created);
  }

  private list(query: URLSearchParams, send: (status: number, payload?: unknown) => void): void {
    const states = query.getAll('state');
    const filter = new URLSearchParams(query.get('metadata') ?? '');
    const raw = query.get('metadata');
    if (raw !== null && raw.split('&').some((pair) => !pair.includes('='))) {
      return send(400, { code: 'INVALID_METADATA_FORMAT', message: 'metadata filter must be k=v pairs joined by &' });
    }
    const page = Number(query.get('page') ?? 1);
    const pageSize = Number(query.get('pageSize') ?? 20);
    if (!Number.isInteger(page) || page < 1) {
      return send(422, { detail: [{ type: 'greater_than_equal', loc: ['query', 'page'], msg: 'Input should be greater than or equal to 1', input: query.get('page') }] });
    }
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 200) {
      return send(422, { detail: [{ type: 'less_than_equal', loc: ['query', 'pageSize'], msg: 'Input should be less than or equal to 200', input: query.get('pageSize') }] });
    }
    const matching = [...this.boxes.values()]
      .filter((box) => states.length === 0 || states.includes(box.state))
      .filter((box) => [...filter].every(([k, v]) => box.metadata[k] === v))
      // Newest first (createdAt descending), as the server lists.
      .sort((a, b) => (a.createdAt > b.createdAt ? -1 : a.createdAt < b.createdAt ? 1 : a.id < b.id ? -1 : 1));
    const totalPages = Math.ceil(matching.length / pageSize);
    const items = matching.slice((page - 1) * pageSize, page * pageSize).map((box) => this.view(box));
    send(200, { items, pagination: { page, pageSize, totalItems: matching.length, totalPages, hasNextPage: page < totalPages } });
  }

  private patch(box: Box, body: unknown, send: (status: number, payload?: unknown) => void): void {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return send(422, { detail: [{ type: 'dict_type', loc: ['body'], msg: 'Input should be a valid dictionary', input: body }] });
    const next = { ...box.metadata };
    for (const [key, value] of Object.entries(body)) {
      if (value === null) {
        delete next[key];
        continue;
      }
      const problem = labelProblem(key, value);
      if (problem) return send(400, { code: 'SANDBOX::INVALID_METADATA_LABEL', message: problem });
      next[key] = value as string;
    }
    box.metadata = next;
    send(200, this.view(box));
  }

  private endpoint(box: Box, port: number, send: (status: number, payload?: unknown) => void): void {
    if (port === EGRESS_PORT && box.sidecar) return send(200, { endpoint: box.sidecar.endpoint, headers: { [EGRESS_AUTH]: box.sidecar.token } });
    // Answered even when nothing listens on the port: only verification proves a server is there.
    if (this.mode() === 'gateway') {
      return send(200, { endpoint: `127.0.0.1:${this.port}/gateway/${box.id}/${port}`, headers: { [INGRESS]: `${box.id}-${port}` } });
    }
    // Host networking: `{server.host}:{port}`, the same for every sandbox.
    if (this.mode() === 'host') return send(200, { endpoint: `127.0.0.1:${port}` });
    const execd = box.execd?.address() as { port: number } | undefined;
    // execd itself answers on its own (mapped) port; every other port through its `/proxy/<port>`.
    if (port === EXECD_PORT && execd !== undefined) return send(200, { endpoint: `127.0.0.1:${execd.port}` });
    send(200, { endpoint: `127.0.0.1:${execd?.port ?? 40000 + (port % 20000)}/proxy/${port}` });
  }

  /** Gateway mode: route `/gateway/{id}/{port}/…` to the sandbox's server, only with the right ingress header. */
  private gateway(req: IncomingMessage, res: ServerResponse, path: string): void {
    const match = /^\/gateway\/([^/]+)\/(\d+)(\/.*)?$/.exec(path);
    const box = match ? this.boxes.get(match[1]!) : undefined;
    if (!match || !box?.fixture || req.headers[INGRESS.toLowerCase()] !== `${match[1]}-${match[2]}`) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ code: 'ROUTE_NOT_FOUND', message: 'no route (missing or wrong ingress header)' }));
      return;
    }
    const execd = box.execd?.address() as { port: number } | undefined;
    forward(req, res, Number(match[2]) === EXECD_PORT && execd !== undefined ? `http://127.0.0.1:${execd.port}` : box.fixture.url, match[3]);
  }
}

/** The guest port the OpenWork server listens on: the one its env names (the image's entrypoint reads OPENWORK_PORT). */
function serverPortOf(box: Box): number {
  return Number(box.env.OPENWORK_PORT ?? 8787);
}

/** Sends `req` on to `base` + `rest` (and the query), streaming the answer back. */
function forward(req: IncomingMessage, res: ServerResponse, base: string, rest: string | undefined): void {
  const target = new URL(`${rest ?? '/'}${new URL(req.url ?? '/', 'http://x').search}`, base);
  const upstream = httpRequest(target, { method: req.method, headers: { ...req.headers, host: target.host } }, (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(res);
  });
  upstream.on('error', () => {
    res.writeHead(502);
    res.end();
  });
  req.pipe(upstream);
}

/** A sandbox's execd in bridge mode: `/proxy/<port>/…` reaches the server's port inside the sandbox; `/command` runs a command in the guest. */
async function startExecd(fixture: RunningFixture, serverPort: number, shell: GuestShell): Promise<Server> {
  const execd = createServer(async (req, res) => {
    if (await commandRoute(req, res, shell)) return;
    const match = /^\/proxy\/(\d+)(\/[^?]*)?/.exec(req.url ?? '/');
    if (!match || Number(match[1]) !== serverPort) {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end('nothing listens on that port in the sandbox');
      return;
    }
    forward(req, res, fixture.url, match[2]);
  });
  await new Promise<void>((resolve) => execd.listen(0, '127.0.0.1', resolve));
  return execd;
}
