/**
 * Field-level comparison of one declared sandbox against its live record. Pure: values in, FieldChanges out.
 * Keys follow the file (`resources.memory`, `env.KEY`, `mounts[/target]`, `ports[127.0.0.1:8787/tcp]`).
 */
import type { AppliedRecord } from '../model/applied.ts';
import { mountKey, portKey } from '../model/applied.ts';
import type { BackendCapabilities } from '../model/capabilities.ts';
import type { DesiredSandbox, MountSpec, PortSpec } from '../model/desired.ts';
import { DIGEST_VERSION, groupDigest, type DigestedGroup } from '../model/digests.ts';
import type { ObservedSandbox } from '../model/observed.ts';
import type { Disposition, FieldChange, Origin } from '../model/plan.ts';
import { SENSITIVE } from '../model/plan.ts';
import { OWCTL_LABEL_PREFIX } from '../model/labels.ts';
import { formatDuration, formatSize } from '../model/units.ts';

export interface Comparison {
  fields: FieldChange[];
  unchanged: number;
}

/** Who changed a field: `outside` when the file still holds what owctl last applied, else `file`. */
export interface Attribution {
  /** Asked only when a replace field differs (it hashes the sandbox's replace fields). */
  replaceFieldsUnchangedInFile: () => boolean;
  applied: AppliedRecord | null;
}

/** Shown as the live value of a field the engine cannot report, when its recorded digest differs from the file's. */
export const UNREADABLE_CHANGED = '(not readable from the engine; differs from the file)';

export function describeMount(mount: MountSpec): string {
  if (mount.type === 'tmpfs') return mount.sizeMib === undefined ? 'tmpfs' : `tmpfs ${formatSize(mount.sizeMib)}`;
  // A writable host folder is what a sandbox can damage on the host: the plan says so.
  const access = mount.readonly ? ' (read-only)' : mount.type === 'bind' ? ' (writable)' : '';
  return `${mount.type} ${mount.source}${access}`;
}

export function describePort(port: PortSpec): string {
  return `${port.bind}:${port.host}->${port.guest}/${port.protocol}`;
}

class Collector {
  readonly fields: FieldChange[] = [];
  unchanged = 0;

  /** A group the engine cannot report: equal when the digest recorded on the sandbox is the file's digest. */
  digest(group: DigestedGroup, path: string, desired: DesiredSandbox, live: ObservedSandbox, after: unknown, disposition: Disposition, sensitive = false, before: unknown = UNREADABLE_CHANGED): void {
    const recorded = live.digests?.[group];
    // A digest of another version (an older or newer owctl) never forces a change.
    if (recorded !== undefined && !recorded.startsWith(`${DIGEST_VERSION}-`)) {
      this.unchanged += 1;
      return;
    }
    if (recorded === groupDigest(group, desired, live.digests?.salt ?? '')) {
      this.unchanged += 1;
      return;
    }
    const shown = after === null || after === undefined ? null : sensitive ? SENSITIVE : after;
    this.fields.push({ path, before: sensitive ? SENSITIVE : before, after: shown, sensitive, disposition, origin: 'file' });
  }

  /** `origin` may be a function: it is called only for a field that differs. */
  compare(path: string, before: unknown, after: unknown, disposition: Disposition, origin: Origin | (() => Origin), sensitive = false): void {
    if (before === after) {
      this.unchanged += 1;
      return;
    }
    this.fields.push({
      path,
      before: sensitive && before !== null ? SENSITIVE : before,
      after: sensitive && after !== null ? SENSITIVE : after,
      sensitive,
      disposition,
      origin: typeof origin === 'function' ? origin() : origin,
    });
  }
}

function keyedDiff<T>(
  out: Collector,
  prefix: string,
  desired: T[],
  live: T[],
  key: (item: T) => string,
  describe: (item: T) => string,
  origin: Origin | (() => Origin),
  disposition: Disposition,
): void {
  const wanted = new Map(desired.map((item) => [key(item), describe(item)]));
  const have = new Map(live.map((item) => [key(item), describe(item)]));
  const keys = [...new Set([...wanted.keys(), ...have.keys()])].sort();
  for (const k of keys) out.compare(`${prefix}[${k}]`, have.get(k) ?? null, wanted.get(k) ?? null, disposition, origin);
}

/** Fields that need a new sandbox when they differ (on engines that can change nothing else in place, more of them). */
export function compareReplaceFields(desired: DesiredSandbox, live: ObservedSandbox, attribution: Attribution, caps: BackendCapabilities): Comparison {
  const origin = (): Origin => (attribution.replaceFieldsUnchangedInFile() ? 'outside' : 'file');
  const out = new Collector();
  const unreadable = new Set(caps.unreadable);
  const duration = (secs: number | null | undefined) => (secs === null || secs === undefined ? null : formatDuration(secs));
  const show = (command: string[] | null) => (command === null ? '(image default)' : command.join(' '));
  // The engine reports an image, but not necessarily as written (Docker answers its first tag): shown, not compared.
  if (unreadable.has('image')) out.digest('image', 'image', desired, live, desired.image.ref, caps.inPlace.image, false, live.image || UNREADABLE_CHANGED);
  else out.compare('image', live.image, desired.image.ref, caps.inPlace.image, origin);
  if (unreadable.has('mounts')) out.digest('mounts', 'mounts', desired, live, desired.mounts.map(describeMount).join(', ') || null, caps.inPlace.mounts);
  else keyedDiff(out, 'mounts', desired.mounts, live.mounts, mountKey, describeMount, origin, caps.inPlace.mounts);
  keyedDiff(out, 'ports', desired.ports, live.ports, portKey, describePort, origin, caps.inPlace.ports);
  if (unreadable.has('idle_timeout')) out.digest('idle_timeout', 'idle_timeout', desired, live, duration(desired.idleTimeoutSecs), caps.inPlace.idle_timeout);
  else out.compare('idle_timeout', duration(live.idleTimeoutSecs), duration(desired.idleTimeoutSecs), caps.inPlace.idle_timeout, origin);
  out.compare('max_duration', duration(live.maxDurationSecs), duration(desired.maxDurationSecs), maxDurationDisposition(live.maxDurationSecs, desired.maxDurationSecs, caps), origin);
  if (unreadable.has('command')) {
    out.digest('command', 'command', desired, live, show(desired.command ?? null), caps.inPlace.command);
    return { fields: out.fields, unchanged: out.unchanged };
  }
  // The workload command is not stored by msb; what was applied is only known from owctl's record.
  const appliedCommand = attribution.applied?.command ?? null;
  if (attribution.applied !== null) out.compare('command', show(appliedCommand), show(desired.command ?? null), caps.inPlace.command, 'file');
  return { fields: out.fields, unchanged: out.unchanged };
}

/** A longer expiry is a renew where the engine has one; a shorter, added or removed one needs a new sandbox. */
function maxDurationDisposition(live: number | null, desired: number | undefined, caps: BackendCapabilities): Disposition {
  const longer = live !== null && desired !== undefined && desired > live;
  return caps.extendMaxDurationLive && longer ? 'live' : caps.inPlace.max_duration;
}

function originOf(applied: unknown, desired: unknown, hasRecord: boolean): Origin {
  return hasRecord && applied === desired ? 'outside' : 'file';
}

/** Fields that may change in place; how each lands (live, restart, or a new sandbox) is the engine's, from `caps`. */
export function compareInPlaceFields(
  desired: DesiredSandbox,
  live: ObservedSandbox,
  desiredEnv: Record<string, string>,
  secretKeys: Set<string>,
  attribution: Attribution,
  caps: BackendCapabilities,
): Comparison {
  const out = new Collector();
  const applied = attribution.applied;
  const has = applied !== null;
  const unreadable = new Set(caps.unreadable);
  if (unreadable.has('resources')) {
    out.digest('resources', 'resources', desired, live, `${desired.cpus} cpus, ${formatSize(desired.memoryMib)}`, caps.inPlace.resources);
  } else {
    // msb 0.6.18 resizes cpus/memory only at boot ("live resize not available in this runtime yet"): a restart.
    out.compare('resources.cpus', live.cpus, desired.cpus, caps.inPlace.resources, originOf(applied?.cpus, desired.cpus, has));
    out.compare('resources.memory', formatSize(live.memoryMib), formatSize(desired.memoryMib), caps.inPlace.resources, originOf(applied?.memory, desired.memoryMib, has));
  }
  if (unreadable.has('env')) out.digest('env', 'env', desired, live, canonicalEnv(desired.env), caps.inPlace.env);
  if (unreadable.has('tokens')) out.digest('tokens', 'tokens', desired, live, SENSITIVE, caps.inPlace.tokens, true);
  if (!unreadable.has('env')) compareEnv(out, live, desiredEnv, secretKeys, applied, caps);
  const liveUserLabels = live.digests === undefined ? [] : Object.keys(live.labels).filter((key) => !key.startsWith(OWCTL_LABEL_PREFIX));
  const labelKeys = new Set([...Object.keys(desired.labels), ...Object.keys(applied?.labels ?? {}), ...liveUserLabels]);
  for (const key of [...labelKeys].sort()) {
    const origin = originOf(applied?.labels[key], desired.labels[key], has);
    out.compare(`labels.${key}`, live.labels[key] ?? null, desired.labels[key] ?? null, caps.inPlace.labels, origin);
  }
  return { fields: out.fields, unchanged: out.unchanged };
}

function canonicalEnv(env: Record<string, string>): string | null {
  const keys = Object.keys(env).sort();
  return keys.length === 0 ? null : keys.map((key) => `${key}=${env[key]}`).join(' ');
}

/** Env compared as a map over the keys owctl manages: declared now, or declared when last applied. */
function compareEnv(
  out: Collector,
  live: ObservedSandbox,
  desiredEnv: Record<string, string>,
  secretKeys: Set<string>,
  applied: AppliedRecord | null,
  caps: BackendCapabilities,
): void {
  const has = applied !== null;
  // Keys that only come from the image are not owctl's and are never shown.
  const managed = new Set([...Object.keys(desiredEnv), ...Object.keys(applied?.env ?? {}), ...(applied?.secret_env ?? [])]);
  for (const key of [...managed].sort()) {
    const sensitive = secretKeys.has(key) || (applied?.secret_env.includes(key) ?? false);
    const origin = sensitive ? 'file' : originOf(applied?.env[key], desiredEnv[key], has);
    out.compare(`env.${key}`, live.env[key] ?? null, desiredEnv[key] ?? null, sensitive ? caps.inPlace.tokens : caps.inPlace.env, origin, sensitive);
  }
}
