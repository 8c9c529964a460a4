/**
 * Digests of a sandbox's egress policy and credentials, recorded on the sandbox where the engine cannot report a
 * value back (a credential's value never comes back; the policy and bindings stand in when the engine's answer is
 * missing). A value is digested only with scrypt under the sandbox's random salt, as tokens are.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from './applied.ts';
import { credentialsOf, declaresEgressPolicy, type DesiredSandbox } from './desired.ts';
import { DIGEST_VERSION, saltedDigest } from './digests.ts';

const label = (hex: string) => `${DIGEST_VERSION}-${hex.slice(0, 32)}`;

/** The digest key of a credential's value (`value`) or binding (`binding`); names that are not label syntax are hashed. */
export function credentialDigestKey(kind: 'value' | 'binding', name: string): string {
  const safe = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,50}$/.test(name) ? name : createHash('sha256').update(name).digest('hex').slice(0, 24);
  return `${kind === 'value' ? 'cv' : 'cb'}.${safe}`;
}

export function credentialValueDigest(name: string, value: string, salt: string): string {
  return saltedDigest(`owctl-credential:${name}`, value, salt);
}

export function credentialBindingDigest(hosts: readonly string[], header: string | undefined): string {
  return label(createHash('sha256').update(`binding:${canonicalJson({ hosts: [...hosts], header: header ?? null })}`).digest('hex'));
}

/** The policy as declared: default action (null when the file declares none) and rules in order. */
export function declaredPolicy(sandbox: DesiredSandbox): { defaultAction: 'allow' | 'deny' | null; rules: Array<{ action: 'allow' | 'deny'; target: string }> } {
  if (!declaresEgressPolicy(sandbox)) return { defaultAction: null, rules: [] };
  return { defaultAction: sandbox.network?.egress ?? 'deny', rules: (sandbox.network?.rules ?? []).map((r) => ({ action: r.action, target: r.target })) };
}

export function networkDigest(sandbox: DesiredSandbox): string {
  return label(createHash('sha256').update(`network:${canonicalJson(declaredPolicy(sandbox))}`).digest('hex'));
}

/** Every egress digest of a sandbox, by digest key (`network`, `cv.NAME`, `cb.NAME`): what the runtime records for EgressRecord. */
export function egressDigests(sandbox: DesiredSandbox, salt: string): Record<string, string> {
  const digests: Record<string, string> = {};
  if (declaresEgressPolicy(sandbox)) digests.network = networkDigest(sandbox);
  for (const [name, credential] of Object.entries(credentialsOf(sandbox))) {
    digests[credentialDigestKey('value', name)] = credentialValueDigest(name, credential.value, salt);
    digests[credentialDigestKey('binding', name)] = credentialBindingDigest(credential.hosts, credential.header);
  }
  return digests;
}
