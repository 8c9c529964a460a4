/**
 * One merged, schema-valid sandbox → DesiredSandbox: defaults filled in, sizes in MiB, durations in seconds, host
 * paths absolute and normalised, guest paths normalised, env and label values as strings.
 */
import path from 'node:path';
import type { AccessEntry, AccessScope } from '../model/access.ts';
import type { DesiredSandbox, MountSpec, PortSpec, PullPolicy } from '../model/desired.ts';
import { normaliseCredentials, normaliseNetwork, type RawCredential, type RawNetwork } from './normalise-network.ts';
import { portEnvTaken } from './checks.ts';
import { DEFAULTS } from './defaults.ts';
import type { Issue, Segment } from './issue.ts';
import { parseDuration, parseSize } from './units.ts';

type Scalar = string | number | boolean;
/** An env value: plain, or with its sensitivity (`{ value, sensitive: true }` marks a secret). */
type EnvValue = Scalar | { value: Scalar; sensitive: boolean };

/** Below this the OpenWork server and OpenCode cannot start. */
export const MIN_MEMORY_MIB = 256;
/** 1 TiB: any larger size is a typo, and msb would be handed a number it cannot hold. */
const MAX_SIZE_MIB = 1024 * 1024;
/** A year: a longer timeout is a typo (`99999999999999999999h` would reach msb as `3.6e+23s`). */
export const MAX_DURATION_SECS = 366 * 24 * 3600;
type RawMount =
  | { type: 'bind'; source: string; target: string; readonly?: boolean }
  | { type: 'volume'; source: string; target: string; readonly?: boolean }
  | { type: 'tmpfs'; target: string; size?: string | number };

/**
 * A merged sandbox whose values all passed the schema. `image` and tokens may still be missing (reported
 * separately); they then normalise to empty strings so the other checks can run.
 */
export interface RawSandbox {
  image?: string | { ref: string; archive?: string };
  pull?: PullPolicy;
  resources?: { cpus?: number; memory?: string | number };
  mounts?: RawMount[];
  ports?: Array<{ host: number; guest: number; bind?: string; protocol?: 'tcp' | 'udp' }>;
  tokens?: { client?: string; host?: string; client_env?: string; host_env?: string };
  env?: Record<string, EnvValue>;
  labels?: Record<string, Scalar>;
  command?: string[];
  idle_timeout?: string | number;
  max_duration?: string | number;
  protect?: boolean;
  verify?: { timeout?: string | number; connect_host?: string };
  server?: { port?: number; port_env?: string };
  access?: Record<string, { scope: AccessScope }>;
  network?: RawNetwork;
  credentials?: Record<string, RawCredential>;
}

export interface NormaliseContext {
  /** Folder of the YAML file: relative host paths start here. */
  dir: string;
  /** Home folder, for `~` in host paths. */
  home: string;
}

export function normaliseSandbox(name: string, raw: RawSandbox, context: NormaliseContext): { sandbox: DesiredSandbox; issues: Issue[] } {
  const issues: Issue[] = [];
  const at = (...rest: Segment[]): Segment[] => ['sandboxes', name, ...rest];
  const size = (value: string | number | undefined, fallback: number | undefined, where: Segment[]): number | undefined => {
    if (value === undefined) return fallback;
    const mib = parseSize(value);
    if (mib === undefined || mib < 1) issues.push({ path: where, message: `${JSON.stringify(value)} is less than 1 MiB`, hint: 'give at least 1: 512M, 1.5G, or MiB as a number' });
    else if (mib > MAX_SIZE_MIB) issues.push({ path: where, message: `${JSON.stringify(value)} is more than ${MAX_SIZE_MIB / 1024}G`, hint: 'use a size this host can give' });
    return mib;
  };
  const memory = (value: string | number | undefined): number | undefined => {
    const mib = size(value, DEFAULTS.memoryMib, at('resources', 'memory'));
    if (value !== undefined && mib !== undefined && mib >= 1 && mib < MIN_MEMORY_MIB) {
      issues.push({ path: at('resources', 'memory'), message: `${JSON.stringify(value)} is too little memory for the OpenWork server and OpenCode`, hint: `use at least ${MIN_MEMORY_MIB}M (the default is 2G)` });
    }
    return mib;
  };
  const seconds = (value: string | number | undefined, where: Segment[]): number | undefined => {
    if (value === undefined) return undefined;
    const secs = parseDuration(value);
    if (secs === undefined || secs < 1) issues.push({ path: where, message: `${JSON.stringify(value)} must be at least 1 second`, hint: 'use 90s, 30m, 8h, or seconds as a number' });
    else if (secs > MAX_DURATION_SECS) issues.push({ path: where, message: `${JSON.stringify(value)} is longer than a year`, hint: 'use at most 8760h, or leave the key out for no limit' });
    return secs;
  };
  const image = normaliseImage(raw.image, context);
  const sandbox: DesiredSandbox = {
    name,
    image,
    pull: raw.pull ?? DEFAULTS.pull,
    cpus: raw.resources?.cpus ?? DEFAULTS.cpus,
    memoryMib: memory(raw.resources?.memory) ?? DEFAULTS.memoryMib,
    // map() keeps the holes of pruned items, so indexes in messages stay those of the file.
    mounts: (raw.mounts ?? []).map((mount, index) => {
      if (climbs(mount.target)) issues.push({ path: at('mounts', index, 'target'), message: `${JSON.stringify(mount.target)} has a ".." part: it would mount somewhere else than it reads`, hint: 'write the guest folder plainly, such as /data/cache' });
      return normaliseMount(mount, context, (value) => size(value, undefined, at('mounts', index, 'size')));
    }),
    ports: (raw.ports ?? []).map(normalisePort),
    tokens: {
      client: raw.tokens?.client ?? '',
      host: raw.tokens?.host ?? '',
      clientEnv: raw.tokens?.client_env ?? DEFAULTS.clientEnv,
      hostEnv: raw.tokens?.host_env ?? DEFAULTS.hostEnv,
    },
    env: strings(envValues(raw.env)),
    sensitiveEnv: Object.entries(raw.env ?? {})
      .filter(([, value]) => typeof value === 'object' && value.sensitive)
      .map(([key]) => key)
      .sort(),
    labels: strings(raw.labels),
    ...(raw.command ? { command: [...raw.command] } : {}),
    protect: raw.protect ?? DEFAULTS.protect,
    verify: {
      timeoutSecs: seconds(raw.verify?.timeout, at('verify', 'timeout')) ?? DEFAULTS.verifyTimeoutSecs,
      connectHost: raw.verify?.connect_host ?? DEFAULTS.connectHost,
    },
    serverPort: raw.server?.port ?? DEFAULTS.serverPort,
    serverPortEnv: raw.server?.port_env ?? DEFAULTS.serverPortEnv,
    ...(raw.access === undefined ? {} : { access: accessEntries(raw.access) }),
  };
  if (raw.credentials !== undefined) sandbox.credentials = normaliseCredentials(raw.credentials);
  if (raw.network !== undefined) {
    const { network, issues: networkIssues } = normaliseNetwork(raw.network, at);
    sandbox.network = network;
    issues.push(...networkIssues);
  }
  // The image's server listens on 8787 unless told otherwise: only another port is passed (so a sandbox made before
  // the setting existed keeps exactly its env).
  // (A port_env that is reserved or a token's variable is reported by checks.ts, at server.port_env.)
  const portEnv = sandbox.serverPortEnv;
  if (Object.hasOwn(sandbox.env, portEnv)) issues.push(portInEnv(sandbox, at));
  else if (sandbox.serverPort !== DEFAULTS.serverPort && portEnvTaken(sandbox) === null) {
    sandbox.env = strings({ ...sandbox.env, [portEnv]: sandbox.serverPort });
  }
  const idle = seconds(raw.idle_timeout, at('idle_timeout'));
  const max = seconds(raw.max_duration, at('max_duration'));
  if (idle !== undefined) sandbox.idleTimeoutSecs = idle;
  if (max !== undefined) sandbox.maxDurationSecs = max;
  return { sandbox, issues };
}

function accessEntries(access: NonNullable<RawSandbox['access']>): AccessEntry[] {
  return Object.keys(access)
    .sort()
    .map((person) => ({ person, scope: access[person]!.scope }));
}

function portInEnv(sandbox: DesiredSandbox, at: (...rest: Segment[]) => Segment[]): Issue {
  const key = sandbox.serverPortEnv;
  const asked = Number(sandbox.env[key]);
  const port = Number.isInteger(asked) && asked >= 1 && asked <= 65535 ? asked : sandbox.serverPort;
  return {
    path: at('env', key),
    on: 'key',
    message: `${key} is where the OpenWork server reads its port, which owctl sets from server.port`,
    hint: `write server: { port: ${port} } instead (owctl then finds, verifies and shows that port)`,
  };
}

function normaliseImage(image: RawSandbox['image'], context: NormaliseContext): DesiredSandbox['image'] {
  if (image === undefined) return { ref: '' };
  if (typeof image === 'string') return { ref: image };
  return image.archive ? { ref: image.ref, archive: hostPath(image.archive, context) } : { ref: image.ref };
}

/** Whether a guest path has a `..` segment (`/data/../etc` is /etc). */
function climbs(target: unknown): boolean {
  return typeof target === 'string' && target.split('/').includes('..');
}

function normaliseMount(mount: RawMount, context: NormaliseContext, size: (value: string | number) => number | undefined): MountSpec {
  // One with `..` is reported as such (above), and kept as written so that no other check reports where it leads.
  const target = climbs(mount.target) ? mount.target : guestPath(mount.target);
  switch (mount.type) {
    case 'bind':
      return { type: 'bind', source: hostPath(mount.source, context), target, readonly: mount.readonly ?? DEFAULTS.readonly };
    case 'volume':
      return { type: 'volume', source: mount.source, target, readonly: mount.readonly ?? DEFAULTS.readonly };
    case 'tmpfs': {
      const sizeMib = mount.size === undefined ? undefined : size(mount.size);
      return sizeMib === undefined ? { type: 'tmpfs', target } : { type: 'tmpfs', target, sizeMib };
    }
  }
}

function normalisePort(port: NonNullable<RawSandbox['ports']>[number]): PortSpec {
  return { host: port.host, guest: port.guest, bind: port.bind ?? DEFAULTS.bind, protocol: port.protocol ?? DEFAULTS.protocol };
}

/** Absolute, normalised host path: `~` is the home folder, relative paths start at the YAML file's folder. */
export function hostPath(value: string, context: NormaliseContext): string {
  if (value === '~') return path.resolve(context.home);
  if (value.startsWith('~/')) return path.resolve(context.home, value.slice(2));
  return path.resolve(context.dir, value);
}

/** `/data/` → `/data`, `/a/../b` → `/b`. */
export function guestPath(value: string): string {
  const normalised = path.posix.normalize(value);
  return normalised.length > 1 && normalised.endsWith('/') ? normalised.slice(0, -1) : normalised;
}

function envValues(env: Record<string, EnvValue> | undefined): Record<string, Scalar> {
  return Object.fromEntries(Object.entries(env ?? {}).map(([key, value]) => [key, typeof value === 'object' ? value.value : value]));
}

function strings(values: Record<string, Scalar> | undefined): Record<string, string> {
  const entries = Object.entries(values ?? {}).map(([key, value]): [string, string] => [key, String(value)]);
  return Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
