/**
 * What owctl records in a sandbox's metadata about its egress: how it was created (with an egress sidecar, with
 * Credential Proxy: facts of the sandbox that no later apply changes, so they stay), and the digests that stand
 * in for what the sidecar cannot say (a credential's value) or did not say (it did not answer). No value is stored.
 */
import type { DesiredSandbox } from '../model/desired.ts';
import { egressDigests } from '../model/egress-digests.ts';
import type { EgressRecord, ObservedEgress } from '../model/egress-observed.ts';
import { networkPolicyOf } from './egress-request.ts';

export const META_EGRESS_SIDECAR = 'owctl.dev/egress-sidecar';
export const META_CREDENTIAL_PROXY = 'owctl.dev/credential-proxy';
/** Keys an update never removes: they describe how the sandbox was made. */
export const CREATION_KEYS: ReadonlySet<string> = new Set([META_EGRESS_SIDECAR, META_CREDENTIAL_PROXY]);

const keyOf = (digest: string) => (digest === 'network' ? 'owctl.dev/d.network' : `owctl.dev/${digest}`);

/** Digest metadata (`owctl.dev/d.network`, `owctl.dev/cv.NAME`, `owctl.dev/cb.NAME`). */
export function egressMetadata(sandbox: DesiredSandbox, salt: string): Record<string, string> {
  return Object.fromEntries(Object.entries(egressDigests(sandbox, salt)).map(([digest, value]) => [keyOf(digest), value]));
}

export function creationMarkers(sandbox: DesiredSandbox): Record<string, string> {
  const markers: Record<string, string> = {};
  if (networkPolicyOf(sandbox) !== undefined) markers[META_EGRESS_SIDECAR] = 'true';
  if (Object.keys(sandbox.credentials ?? {}).length > 0) markers[META_CREDENTIAL_PROXY] = 'true';
  return markers;
}

/**
 * The sandbox's egress as its metadata tells it, before (or without) asking its sidecar: made without a
 * networkPolicy, no policy is in force; made with one, the policy is unknown until the sidecar answers (readEgress).
 * owctl's digests (salted under the sandbox's `salt`) stand in for what the sidecar cannot or did not say.
 */
export function egressAtRest(meta: Record<string, string>, salt: string): ObservedEgress {
  const record: EgressRecord = { format: 'egress-digests', salt, values: {}, bindings: {} };
  for (const [key, value] of Object.entries(meta)) {
    if (key === 'owctl.dev/d.network') record.policy = value;
    else if (key.startsWith('owctl.dev/cv.')) record.values[key.slice('owctl.dev/'.length)] = value;
    else if (key.startsWith('owctl.dev/cb.')) record.bindings[key.slice('owctl.dev/'.length)] = value;
  }
  return {
    ...(meta[META_EGRESS_SIDECAR] === 'true' ? {} : { policy: null }),
    onViolation: null,
    injects: meta[META_CREDENTIAL_PROXY] === 'true',
    record,
  };
}
