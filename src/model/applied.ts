/**
 * What owctl records on a sandbox when it creates or updates it, in labels, so later plans can tell a change in the
 * file from a change made outside owctl without any local state file (compose's config-hash model, versioned).
 */
import { createHash } from 'node:crypto';
import type { DesiredSandbox, MountSpec, PortSpec } from './desired.ts';
import { secretEnvKeys } from './desired.ts';
import { LABEL_APPLIED, LABEL_CONFIG_HASH, LABEL_PROJECT, LABEL_PROTECT } from './labels.ts';
import { serverPortLabels } from './server-port.ts';

/** Bump when the hashed fields or their encoding change; a hash of another version never forces a replace. */
export const CONFIG_HASH_VERSION = 1;

export function mountKey(mount: MountSpec): string {
  return mount.target;
}

export function portKey(port: PortSpec): string {
  return `${port.bind}:${port.host}/${port.protocol}`;
}

/** Canonical JSON: object keys sorted, so equal values always give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) => {
    if (inner === null || typeof inner !== 'object' || Array.isArray(inner)) return inner;
    return Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  });
}

/** The fields whose change needs a new sandbox. */
export function replaceFields(sandbox: DesiredSandbox): Record<string, unknown> {
  return {
    image: sandbox.image.ref,
    mounts: [...sandbox.mounts].sort((a, b) => (mountKey(a) < mountKey(b) ? -1 : 1)),
    ports: [...sandbox.ports].sort((a, b) => (portKey(a) < portKey(b) ? -1 : 1)),
    idle_timeout: sandbox.idleTimeoutSecs ?? null,
    max_duration: sandbox.maxDurationSecs ?? null,
    command: sandbox.command ?? null,
  };
}

export function configHash(sandbox: DesiredSandbox): string {
  const digest = createHash('sha256').update(canonicalJson(replaceFields(sandbox))).digest('hex');
  return `${CONFIG_HASH_VERSION}:${digest.slice(0, 16)}`;
}

/** The non-secret in-place fields as last applied. Secret env values are never recorded, only their keys. */
export interface AppliedRecord {
  cpus: number;
  memory: number;
  env: Record<string, string>;
  secret_env: string[];
  labels: Record<string, string>;
  command: string[] | null;
}

export function appliedRecord(sandbox: DesiredSandbox): AppliedRecord {
  const secret = secretEnvKeys(sandbox);
  return {
    cpus: sandbox.cpus,
    memory: sandbox.memoryMib,
    env: Object.fromEntries(Object.entries(sandbox.env).filter(([key]) => !secret.has(key))),
    secret_env: [...secret].sort(),
    labels: sandbox.labels,
    command: sandbox.command ?? null,
  };
}

export function parseAppliedRecord(text: string | undefined): AppliedRecord | null {
  if (text === undefined) return null;
  try {
    const value = JSON.parse(text) as Partial<AppliedRecord>;
    if (typeof value !== 'object' || value === null || typeof value.cpus !== 'number') return null;
    return {
      cpus: value.cpus,
      memory: typeof value.memory === 'number' ? value.memory : -1,
      env: value.env ?? {},
      secret_env: value.secret_env ?? [],
      labels: value.labels ?? {},
      command: value.command ?? null,
    };
  } catch {
    return null;
  }
}

/** Every label owctl puts on a sandbox it manages: user labels plus ownership and applied-state labels. */
export function ownedLabels(project: string, sandbox: DesiredSandbox): Record<string, string> {
  const labels: Record<string, string> = {
    ...sandbox.labels,
    [LABEL_PROJECT]: project,
    [LABEL_CONFIG_HASH]: configHash(sandbox),
    [LABEL_APPLIED]: canonicalJson(appliedRecord(sandbox)),
  };
  if (sandbox.protect) labels[LABEL_PROTECT] = 'true';
  Object.assign(labels, serverPortLabels(sandbox));
  return labels;
}
