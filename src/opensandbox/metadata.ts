/**
 * What owctl stores in an OpenSandbox sandbox's metadata, and how a listed sandbox becomes an ObservedSandbox.
 * Every key and value follows Kubernetes label syntax (the server enforces it). No secret is stored: tokens are
 * only in a salted scrypt digest (src/model/digests.ts).
 */
import { combinedDigest, DIGESTED_GROUPS, groupDigests, type DigestedGroup } from '../model/digests.ts';
import type { DesiredSandbox } from '../model/desired.ts';
import { LABEL_CONFIG_HASH, LABEL_PROJECT, LABEL_PROTECT, OWCTL_LABEL_PREFIX } from '../model/labels.ts';
import { serverPortLabels } from '../model/server-port.ts';
import type { ObservedSandbox, SandboxStatus } from '../model/observed.ts';
import { creationMarkers, egressAtRest, egressMetadata } from './egress-metadata.ts';
import type { WireSandbox } from './wire.ts';

export const META_NAME = 'owctl.dev/name';
export const META_SALT = 'owctl.dev/salt';
export const META_MAX_DURATION = 'owctl.dev/max-duration';
const digestKey = (group: DigestedGroup) => `owctl.dev/d.${group.replace('_', '-')}`;

/** owctl's own metadata for a sandbox (ownership, name, digests, salt, expiry as declared, protect). */
export function owctlMetadata(project: string, sandbox: DesiredSandbox, salt: string): Record<string, string> {
  const digests = groupDigests(sandbox, salt);
  const meta: Record<string, string> = {
    [LABEL_PROJECT]: project,
    [META_NAME]: sandbox.name,
    [LABEL_CONFIG_HASH]: combinedDigest(digests),
    [META_SALT]: salt,
  };
  for (const group of DIGESTED_GROUPS) meta[digestKey(group)] = digests[group];
  if (sandbox.maxDurationSecs !== undefined) meta[META_MAX_DURATION] = String(sandbox.maxDurationSecs);
  if (sandbox.protect) meta[LABEL_PROTECT] = 'true';
  Object.assign(meta, serverPortLabels(sandbox), egressMetadata(sandbox, salt));
  return meta;
}

export function createMetadata(project: string, sandbox: DesiredSandbox, salt: string): Record<string, string> {
  return { ...sandbox.labels, ...owctlMetadata(project, sandbox, salt), ...creationMarkers(sandbox) };
}

const STATES: Record<string, SandboxStatus> = {
  Pending: 'Starting',
  Running: 'Running',
  Pausing: 'Draining',
  Paused: 'Paused',
  Resuming: 'Starting',
  Stopping: 'Draining',
  Terminated: 'Stopped',
  Failed: 'Crashed',
};

/** Any state the server adds later (the Docker runtime already answers `Unknown`) counts as Crashed: not serving. */
export function statusOf(state: string): SandboxStatus {
  return STATES[state] ?? 'Crashed';
}

/** A listed sandbox in the model's terms. Fields the engine cannot report are empty; their digests stand in. */
export function observedOf(wire: WireSandbox): ObservedSandbox {
  const meta = wire.metadata ?? {};
  const digests: Record<string, string> = {};
  for (const group of DIGESTED_GROUPS) {
    const value = meta[digestKey(group)];
    if (value !== undefined) digests[group] = value;
  }
  if (meta[META_SALT] !== undefined) digests.salt = meta[META_SALT];
  return {
    name: meta[META_NAME] ?? wire.id,
    id: wire.id,
    status: statusOf(wire.status.state),
    labels: meta,
    image: wire.image?.uri ?? '',
    manifestDigest: null,
    pull: 'if-missing',
    cpus: 0,
    memoryMib: 0,
    env: {},
    mounts: [],
    ports: [],
    idleTimeoutSecs: null,
    maxDurationSecs: liveMaxDuration(wire, Number(meta[META_MAX_DURATION])),
    server: 'unknown',
    digests,
    egress: egressAtRest(meta, meta[META_SALT] ?? ''),
  };
}

/** The server's clock and the container's creation differ by a fraction of a second; renewals are exact. */
const SKEW_SECS = 60;

/**
 * max_duration as the server will act on it: the recorded value, unless the live expiry is sooner (a renewal the
 * server lost on restart: `expiresAt` fell back to created + the first timeout). A later expiry (renew-on-access)
 * is the engine's policy, not drift.
 */
function liveMaxDuration(wire: WireSandbox, recorded: number): number | null {
  const declared = Number.isInteger(recorded) && recorded > 0 ? recorded : null;
  if (declared === null || typeof wire.expiresAt !== 'string') return declared;
  const live = Math.round((Date.parse(wire.expiresAt) - Date.parse(wire.createdAt)) / 1000);
  return Number.isFinite(live) && live < declared - SKEW_SECS ? Math.max(live, 1) : declared;
}

/** User labels of a live sandbox (metadata that is not owctl's). */
export function userLabels(meta: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(meta).filter(([key]) => !key.startsWith(OWCTL_LABEL_PREFIX)));
}
