/**
 * Egress policy and credentials as an engine reports them back, in the model's terms (never an engine's wire
 * shapes): one shape for every runtime. Each runtime's observe code maps its own answer into it (msb: the policy and
 * secrets `msb inspect` records; OpenSandbox: the egress sidecar's /policy and Credential Vault), and the pure
 * planner compares it with the file (plan/egress-fields.ts). Never holds a credential value.
 */
import { credentialDigestKey, credentialBindingDigest, credentialValueDigest } from './egress-digests.ts';
import { sameCredential } from './credentials.ts';
import type { EgressAction, OnViolation } from './desired.ts';

export interface ObservedCredential {
  /** Hosts the credential is sent to, as the engine lists them. */
  hosts: string[];
  /** The header that carries it; undefined = bearer Authorization (runtimes that ignore headers leave it out). */
  header?: string;
}

/**
 * What owctl recorded on the sandbox about its egress when it last applied it: digests only, standing in for what
 * the engine cannot report (a credential's value) or did not (an unanswered read). `format` names the record's
 * layout (model/credentials.ts's label, or model/egress-digests.ts's keys); the comparison is the same.
 */
export interface EgressRecord {
  format: 'credential-label' | 'egress-digests';
  salt: string;
  /** Value digests: by guest variable (`credential-label`), or by digest key `cv.NAME` (`egress-digests`). */
  values: Record<string, string>;
  /** Binding digests by digest key `cb.NAME` (only `egress-digests`). */
  bindings: Record<string, string>;
  /** The declared policy's digest (model/egress-digests.ts `networkDigest`), when one was recorded. */
  policy?: string;
}

export interface ObservedEgress {
  /**
   * The policy in force, rules in the model's canonical text (model/network.ts `canonicalRules`). null: none (the
   * runtime's default: msb recorded none, OpenSandbox runs no egress sidecar). Absent: the engine did not answer.
   */
  policy?: { egress: EgressAction; rules: string[] } | null;
  /** The violation action in force; null when none is (or the runtime has none). */
  onViolation: OnViolation | null;
  /** The engine swaps credentials in on this sandbox (msb: TLS interception; OpenSandbox: Credential Proxy). */
  injects: boolean;
  /** Credentials by guest variable as the engine lists them; absent when not listed (the record stands in). */
  credentials?: Record<string, ObservedCredential>;
  /** owctl's record, or null when the sandbox carries none (made by hand, or by an owctl that wrote none). */
  record: EgressRecord | null;
}

/** The credentials the record names (for a name that is not label syntax, its hashed key). */
export function recordedCredentialNames(record: EgressRecord | null): string[] {
  if (record === null) return [];
  const keys = Object.keys(record.values);
  return record.format === 'credential-label' ? keys : keys.filter((key) => key.startsWith('cv.')).map((key) => key.slice(3));
}

/** Whether `value` is the value recorded for `name`; false when nothing (or another version) is recorded. */
export function recordedValueIs(record: EgressRecord | null, name: string, value: string): boolean {
  if (record === null) return false;
  if (record.format === 'credential-label') return sameCredential({ salt: record.salt, digests: record.values }, name, value);
  return record.values[credentialDigestKey('value', name)] === credentialValueDigest(name, value, record.salt);
}

/** Whether the binding recorded for `name` is `credential`'s; false when none is recorded. */
export function recordedBindingIs(record: EgressRecord | null, name: string, credential: ObservedCredential): boolean {
  const recorded = record?.bindings[credentialDigestKey('binding', name)];
  return recorded !== undefined && recorded === credentialBindingDigest(credential.hosts, credential.header);
}
