/**
 * msb's JSON (`inspect`, `image inspect`, `ls`) → owctl's observed model, in DesiredState's units and shapes.
 * Tolerant of fields owctl does not use; strict (msb.bad_output) about the ones it does, so a format change in a
 * later msb shows up as a clear error instead of a wrong plan.
 */
import { OwctlError } from '../errors.ts';
import type { MountSpec, PortSpec, PullPolicy } from '../model/desired.ts';
import type { ObservedImage, ObservedSandbox, SandboxStatus } from '../model/observed.ts';
import { normaliseEgress } from './normalize-network.ts';

type Json = Record<string, unknown>;

const STATUSES: readonly SandboxStatus[] = ['Created', 'Starting', 'Running', 'Draining', 'Paused', 'Stopped', 'Crashed'];
const PULL: Record<string, PullPolicy> = { IfMissing: 'if-missing', Always: 'always', Never: 'never' };

export interface ListedSandbox {
  name: string;
  status: SandboxStatus;
  image: string;
}

export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // No cause: V8's SyntaxError quotes the input, and inspect output holds secret env values.
    throw badOutput(what, 'not JSON');
  }
}

/** `msb ls --format json`. */
export function normaliseList(value: unknown): ListedSandbox[] {
  if (!Array.isArray(value)) throw badOutput('ls', 'expected an array');
  return value.map((row) => {
    const entry = object(row, 'ls');
    return { name: string(entry.name, 'ls', 'name'), status: status(entry.status, 'ls'), image: String(entry.image ?? '') };
  });
}

/** `msb inspect NAME --format json` (local backend shape). */
export function normaliseSandbox(value: unknown): ObservedSandbox {
  const top = object(value, 'inspect');
  const config = object(top.config, 'inspect', 'config');
  const resources = object(config.resources ?? {}, 'inspect', 'config.resources');
  const lifecycle = object(config.lifecycle ?? {}, 'inspect', 'config.lifecycle');
  const network = object(config.network ?? {}, 'inspect', 'config.network');
  const pull = PULL[String(config.pull_policy)];
  if (pull === undefined) throw badOutput('inspect', `unknown pull_policy ${JSON.stringify(config.pull_policy)}`);
  const labels = stringMap(config.labels ?? {}, 'config.labels');
  return {
    name: string(top.name, 'inspect', 'name'),
    status: status(top.status, 'inspect'),
    labels,
    image: imageOf(config.image),
    manifestDigest: typeof config.manifest_digest === 'string' ? config.manifest_digest : null,
    pull,
    cpus: number(resources.cpus, 'config.resources.cpus'),
    memoryMib: number(resources.memory_mib, 'config.resources.memory_mib'),
    env: envMap(config.env ?? []),
    mounts: array(config.mounts ?? [], 'config.mounts').map(mountOf),
    ports: array(network.ports ?? [], 'config.network.ports').map(portOf),
    idleTimeoutSecs: optionalNumber(lifecycle.idle_timeout_secs, 'config.lifecycle.idle_timeout_secs'),
    maxDurationSecs: optionalNumber(lifecycle.max_duration_secs, 'config.lifecycle.max_duration_secs'),
    server: 'unknown',
    egress: normaliseEgress(network, labels),
  };
}

/** `msb image inspect REF --format json`. */
export function normaliseImage(value: unknown): ObservedImage {
  const top = object(value, 'image inspect');
  const config = object(top.config ?? {}, 'image inspect', 'config');
  const env: Record<string, string> = {};
  for (const entry of array(config.env ?? [], 'config.env')) {
    const text = String(entry);
    const eq = text.indexOf('=');
    if (eq > 0) env[text.slice(0, eq)] = text.slice(eq + 1);
  }
  return {
    ref: string(top.reference, 'image inspect', 'reference'),
    digest: string(top.digest, 'image inspect', 'digest'),
    env,
    entrypoint: array(config.entrypoint ?? [], 'config.entrypoint').map(String),
    cmd: array(config.cmd ?? [], 'config.cmd').map(String),
  };
}

/**
 * For OCI images msb adds a tmpfs at /tmp (a quarter of the memory at create time) unless a mount at /tmp is
 * declared. It is msb's default, not something owctl manages: drop it when the file declares nothing at /tmp, so it
 * never shows as a difference.
 */
export function withoutImplicitTmp(mounts: MountSpec[], declared: MountSpec[]): MountSpec[] {
  if (declared.some((mount) => mount.target === '/tmp')) return mounts;
  return mounts.filter((mount) => !(mount.type === 'tmpfs' && mount.target === '/tmp'));
}

function imageOf(value: unknown): string {
  const image = object(value, 'inspect', 'config.image');
  const oci = image.Oci as Json | undefined;
  if (oci !== undefined) return string(oci.reference, 'inspect', 'config.image.Oci.reference');
  const bind = image.Bind as Json | undefined;
  if (bind !== undefined) return string(bind.path, 'inspect', 'config.image.Bind.path');
  const disk = image.DiskImage as Json | undefined;
  if (disk !== undefined) return string(disk.path, 'inspect', 'config.image.DiskImage.path');
  throw badOutput('inspect', `unknown image kind ${Object.keys(image).join(', ')}`);
}

function envMap(value: unknown): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of array(value, 'config.env')) {
    const pair = object(entry, 'inspect', 'config.env[]');
    env[string(pair.key, 'inspect', 'config.env[].key')] = String(pair.value ?? '');
  }
  return env;
}

function mountOf(value: unknown): MountSpec {
  const mount = object(value, 'inspect', 'config.mounts[]');
  const target = string(mount.guest, 'inspect', 'config.mounts[].guest');
  const readonly = (mount.options as Json | undefined)?.readonly === true;
  switch (mount.type) {
    case 'Bind':
      return { type: 'bind', source: string(mount.host, 'inspect', 'config.mounts[].host'), target, readonly };
    case 'Named':
      return { type: 'volume', source: string(mount.name, 'inspect', 'config.mounts[].name'), target, readonly };
    case 'Tmpfs':
      return typeof mount.size_mib === 'number' ? { type: 'tmpfs', target, sizeMib: mount.size_mib } : { type: 'tmpfs', target };
    case 'DiskImage':
      // owctl never declares disk-image mounts; shown as a bind of the image file so a plan names what is there.
      return { type: 'bind', source: string(mount.host, 'inspect', 'config.mounts[].host'), target, readonly };
    default:
      throw badOutput('inspect', `unknown mount type ${JSON.stringify(mount.type)}`);
  }
}

function portOf(value: unknown): PortSpec {
  const port = object(value, 'inspect', 'config.network.ports[]');
  const protocol = String(port.protocol ?? 'tcp').toLowerCase();
  if (protocol !== 'tcp' && protocol !== 'udp') throw badOutput('inspect', `unknown port protocol ${protocol}`);
  return {
    host: number(port.host_port, 'config.network.ports[].host_port'),
    guest: number(port.guest_port, 'config.network.ports[].guest_port'),
    bind: typeof port.host_bind === 'string' ? port.host_bind : '127.0.0.1',
    protocol,
  };
}

function status(value: unknown, what: string): SandboxStatus {
  if (typeof value === 'string' && (STATUSES as readonly string[]).includes(value)) return value as SandboxStatus;
  throw badOutput(what, `unknown status ${JSON.stringify(value)}`);
}

function object(value: unknown, what: string, field?: string): Json {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Json;
  throw badOutput(what, `expected an object${field ? ` at ${field}` : ''}`);
}

function array(value: unknown, field: string): unknown[] {
  if (Array.isArray(value)) return value;
  throw badOutput('inspect', `expected an array at ${field}`);
}

function string(value: unknown, what: string, field: string): string {
  if (typeof value === 'string') return value;
  throw badOutput(what, `expected a string at ${field}`);
}

function number(value: unknown, field: string): number {
  if (typeof value === 'number') return value;
  throw badOutput('inspect', `expected a number at ${field}`);
}

function optionalNumber(value: unknown, field: string): number | null {
  return value === null || value === undefined ? null : number(value, field);
}

function stringMap(value: unknown, field: string): Record<string, string> {
  const map = object(value, 'inspect', field);
  return Object.fromEntries(Object.entries(map).map(([key, inner]) => [key, String(inner)]));
}

function badOutput(what: string, problem: string): OwctlError {
  return new OwctlError('msb.bad_output', `unexpected output from msb ${what}: ${problem}`, {
    hint: 'owctl is built for msb 0.6.18; check `owctl doctor` for the version in use',
  });
}
