/**
 * What owctl records about credential values, so a changed value shows in the plan although no engine reports it:
 * a salted scrypt digest per credential (as tokens are digested, model/digests.ts), under a random salt drawn each
 * time the record is written. Never the value, never a fast or unsalted hash of it.
 */
import { scryptSync } from 'node:crypto';
import { canonicalJson } from './applied.ts';
import type { CredentialSpec } from './desired.ts';

const VERSION = 'v1';
/** Same cost as the tokens' digest: a few milliseconds per credential, paid once per plan. */
const SCRYPT = { N: 1024, r: 8, p: 1, maxmem: 32 * 1024 * 1024 };

export interface CredentialRecord {
  salt: string;
  /** Digest by guest variable. */
  digests: Record<string, string>;
}

export function credentialDigest(name: string, value: string, salt: string): string {
  return `${VERSION}-${scryptSync(`${name}\u0000${value}`, `owctl-credential:${salt}`, 32, SCRYPT).toString('hex').slice(0, 32)}`;
}

/** The label value for `credentials` under `salt` (hex, random per write). */
export function credentialLabel(credentials: Record<string, CredentialSpec>, salt: string): string {
  const digests = Object.fromEntries(Object.entries(credentials).map(([name, spec]) => [name, credentialDigest(name, spec.value, salt)]));
  return canonicalJson({ salt, digests });
}

export function parseCredentialLabel(text: string | undefined): CredentialRecord | null {
  if (text === undefined) return null;
  try {
    const value = JSON.parse(text) as Partial<CredentialRecord>;
    if (typeof value?.salt !== 'string' || typeof value.digests !== 'object' || value.digests === null) return null;
    return { salt: value.salt, digests: value.digests };
  } catch {
    return null;
  }
}

/** Whether `value` is the value recorded for `name`; false when nothing (or another version) is recorded. */
export function sameCredential(record: CredentialRecord | null, name: string, value: string): boolean {
  const recorded = record?.digests[name];
  return recorded !== undefined && recorded.startsWith(`${VERSION}-`) && recorded === credentialDigest(name, value, record!.salt);
}
