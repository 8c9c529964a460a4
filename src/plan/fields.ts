/**
 * Field-level comparison of one declared sandbox against its live record. Pure: values in, FieldChanges out.
 * Keys follow the file (`resources.memory`, `env.KEY`, `mounts[/target]`, `ports[127.0.0.1:8787/tcp]`).
 */
import type { AppliedRecord } from '../model/applied.ts';
import { mountKey, portKey } from '../model/applied.ts';
import type { DesiredSandbox, MountSpec, PortSpec } from '../model/desired.ts';
import type { ObservedSandbox } from '../model/observed.ts';
import type { Disposition, FieldChange, Origin } from '../model/plan.ts';
import { SENSITIVE } from '../model/plan.ts';
import { formatDuration, formatSize } from '../model/units.ts';

export interface Comparison {
  fields: FieldChange[];
  unchanged: number;
}

/** Who changed a field: `outside` when the file still holds what owctl last applied, else `file`. */
export interface Attribution {
  replaceFieldsUnchangedInFile: boolean;
  applied: AppliedRecord | null;
}

export function describeMount(mount: MountSpec): string {
  if (mount.type === 'tmpfs') return mount.sizeMib === undefined ? 'tmpfs' : `tmpfs ${formatSize(mount.sizeMib)}`;
  return `${mount.type} ${mount.source}${mount.readonly ? ' (read-only)' : ''}`;
}

export function describePort(port: PortSpec): string {
  return `${port.bind}:${port.host}->${port.guest}/${port.protocol}`;
}

class Collector {
  readonly fields: FieldChange[] = [];
  unchanged = 0;

  compare(path: string, before: unknown, after: unknown, disposition: Disposition, origin: Origin, sensitive = false): void {
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
      origin,
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
  origin: Origin,
): void {
  const wanted = new Map(desired.map((item) => [key(item), describe(item)]));
  const have = new Map(live.map((item) => [key(item), describe(item)]));
  const keys = [...new Set([...wanted.keys(), ...have.keys()])].sort();
  for (const k of keys) out.compare(`${prefix}[${k}]`, have.get(k) ?? null, wanted.get(k) ?? null, 'replace', origin);
}

/** Fields that need a new sandbox when they differ. */
export function compareReplaceFields(desired: DesiredSandbox, live: ObservedSandbox, attribution: Attribution): Comparison {
  const origin: Origin = attribution.replaceFieldsUnchangedInFile ? 'outside' : 'file';
  const out = new Collector();
  out.compare('image', live.image, desired.image.ref, 'replace', origin);
  keyedDiff(out, 'mounts', desired.mounts, live.mounts, mountKey, describeMount, origin);
  keyedDiff(out, 'ports', desired.ports, live.ports, portKey, describePort, origin);
  const duration = (secs: number | null | undefined) => (secs === null || secs === undefined ? null : formatDuration(secs));
  out.compare('idle_timeout', duration(live.idleTimeoutSecs), duration(desired.idleTimeoutSecs), 'replace', origin);
  out.compare('max_duration', duration(live.maxDurationSecs), duration(desired.maxDurationSecs), 'replace', origin);
  // The workload command is not stored by msb; what was applied is only known from owctl's record.
  const appliedCommand = attribution.applied?.command ?? null;
  const show = (command: string[] | null) => (command === null ? '(image default)' : command.join(' '));
  if (attribution.applied !== null) out.compare('command', show(appliedCommand), show(desired.command ?? null), 'replace', 'file');
  return { fields: out.fields, unchanged: out.unchanged };
}

function originOf(applied: unknown, desired: unknown, hasRecord: boolean): Origin {
  return hasRecord && applied === desired ? 'outside' : 'file';
}

/** Fields `msb modify` changes in place. `running` decides whether env/label changes need a restart. */
export function compareInPlaceFields(
  desired: DesiredSandbox,
  live: ObservedSandbox,
  desiredEnv: Record<string, string>,
  secretKeys: Set<string>,
  attribution: Attribution,
): Comparison {
  const out = new Collector();
  const applied = attribution.applied;
  const has = applied !== null;
  // msb 0.6.18 resizes cpus/memory only at boot ("live resize not available in this runtime yet"): a restart.
  out.compare('resources.cpus', live.cpus, desired.cpus, 'restart', originOf(applied?.cpus, desired.cpus, has));
  out.compare('resources.memory', formatSize(live.memoryMib), formatSize(desired.memoryMib), 'restart', originOf(applied?.memory, desired.memoryMib, has));
  // Env is compared as a map over the keys owctl manages: declared now, or declared when last applied.
  // Keys that only come from the image are not owctl's and are never shown.
  const managed = new Set([...Object.keys(desiredEnv), ...Object.keys(applied?.env ?? {}), ...(applied?.secret_env ?? [])]);
  for (const key of [...managed].sort()) {
    const sensitive = secretKeys.has(key) || (applied?.secret_env.includes(key) ?? false);
    const origin = sensitive ? 'file' : originOf(applied?.env[key], desiredEnv[key], has);
    // msb modify takes env only on its command line, where a token would be visible: a token change needs a new sandbox.
    out.compare(`env.${key}`, live.env[key] ?? null, desiredEnv[key] ?? null, sensitive ? 'replace' : 'restart', origin, sensitive);
  }
  const labelKeys = new Set([...Object.keys(desired.labels), ...Object.keys(applied?.labels ?? {})]);
  for (const key of [...labelKeys].sort()) {
    const origin = originOf(applied?.labels[key], desired.labels[key], has);
    out.compare(`labels.${key}`, live.labels[key] ?? null, desired.labels[key] ?? null, 'live', origin);
  }
  return { fields: out.fields, unchanged: out.unchanged };
}
