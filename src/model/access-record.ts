/**
 * owctl's record of a sandbox's access, kept on the sandbox itself (msb labels, OpenSandbox metadata): per person
 * the scope and id of their current token and a salted scrypt digest of its value, never the value. plan reads it
 * when the server cannot list its tokens (stopped, asleep, not answering); verify, connect and output compare this
 * machine's token file with it. Every key and value is Kubernetes label syntax (OpenSandbox enforces it).
 *
 *   owctl.dev/access-salt   32 hex digits, random, drawn when the sandbox's first record is written
 *   owctl.dev/a.<person>    `<scope>` or `<scope>.<id>` (the id when it fits label syntax)
 *   owctl.dev/ad.<person>   `v1-<32 hex>`: scrypt of the value under the salt (absent when owctl never held it)
 *
 * A person whose name does not fit a key (over 60 characters, or ending in `.`, `_`, `-`) is keyed by a hash of the
 * name: the file's people are matched by it, and an entry no file person matches stays unnamed (the server's list names it).
 */
import { createHash } from 'node:crypto';
import { ACCESS_SCOPES, accessLabel, peopleOf, tokensOf, type AccessScope, type ObservedAccess } from './access.ts';
import { saltedDigest } from './digests.ts';

export const ACCESS_SALT_KEY = 'owctl.dev/access-salt';
const SCOPE_PREFIX = 'owctl.dev/a.';
const DIGEST_PREFIX = 'owctl.dev/ad.';

/** One person's entry: the scope and id of the token owctl last issued or saw, and the digest of its value. */
export interface RecordedToken {
  scope: AccessScope;
  id: string | null;
  digest: string | null;
}

export interface AccessRecord {
  salt: string | null;
  /** By key name (the person, or `h-<hash>` for a name that does not fit a key). */
  people: Record<string, RecordedToken>;
}

const FITS = /^[a-z0-9]([a-z0-9._-]{0,58}[a-z0-9])?$/;
const ID_FITS = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

/** The record's name for a person: the name itself when it fits a metadata key, else a hash of it. */
export function recordName(person: string): string {
  return FITS.test(person) ? person : `h-${createHash('sha256').update(person).digest('hex').slice(0, 24)}`;
}

export function isAccessRecordKey(key: string): boolean {
  return key === ACCESS_SALT_KEY || key.startsWith(SCOPE_PREFIX) || key.startsWith(DIGEST_PREFIX);
}

/** The salted digest of a person's token value, as the record keeps it. */
export function tokenValueDigest(sandbox: string, person: string, value: string, salt: string): string {
  return saltedDigest(`owctl-access:${sandbox}/${person}`, value, salt);
}

/** The record in a sandbox's labels or metadata; null when it holds none. */
export function accessRecordOf(labels: Record<string, string>): AccessRecord | null {
  const people: Record<string, RecordedToken> = {};
  for (const [key, value] of Object.entries(labels)) {
    if (!key.startsWith(SCOPE_PREFIX)) continue;
    const name = key.slice(SCOPE_PREFIX.length);
    const dot = value.indexOf('.');
    const scope = (dot < 0 ? value : value.slice(0, dot)) as AccessScope;
    if (!ACCESS_SCOPES.includes(scope)) continue;
    people[name] = { scope, id: dot < 0 ? null : value.slice(dot + 1), digest: labels[`${DIGEST_PREFIX}${name}`] ?? null };
  }
  const salt = labels[ACCESS_SALT_KEY] ?? null;
  if (salt === null && Object.keys(people).length === 0) return null;
  return { salt, people };
}

/** The record as labels (sorted keys); the salt only when some entry holds a digest or a salt is given. */
export function accessRecordLabels(record: AccessRecord): Record<string, string> {
  const labels: Record<string, string> = {};
  if (record.salt !== null) labels[ACCESS_SALT_KEY] = record.salt;
  for (const name of Object.keys(record.people).sort()) {
    const entry = record.people[name]!;
    const id = entry.id !== null && ID_FITS.test(entry.id) && entry.scope.length + 1 + entry.id.length <= 63 ? `.${entry.id}` : '';
    labels[`${SCOPE_PREFIX}${name}`] = `${entry.scope}${id}`;
    if (entry.digest !== null) labels[`${DIGEST_PREFIX}${name}`] = entry.digest;
  }
  return labels;
}

/** Keys to set (value) and to delete (null) to turn the record in `labels` into `next`. */
export function accessRecordPatch(labels: Record<string, string>, next: AccessRecord): Record<string, string | null> {
  const wanted = accessRecordLabels(next);
  const patch: Record<string, string | null> = {};
  for (const key of Object.keys(labels).filter(isAccessRecordKey)) if (!(key in wanted)) patch[key] = null;
  for (const [key, value] of Object.entries(wanted)) if (labels[key] !== value) patch[key] = value;
  return patch;
}

/**
 * What the record should say given the server's list: each person with a token labelled by owctl, their newest
 * token's scope and id; the digest of that id where one is known (`digests`: id → digest under `salt`).
 */
export function recordFromServer(access: ObservedAccess, project: string, sandbox: string, salt: string | null, digests: ReadonlyMap<string, string>): AccessRecord {
  const people: Record<string, RecordedToken> = {};
  for (const person of peopleOf(access, project, sandbox)) {
    const newest = tokensOf(access, project, sandbox, person).at(-1)!;
    if (!ACCESS_SCOPES.includes(newest.scope as AccessScope)) continue;
    people[recordName(person)] = { scope: newest.scope as AccessScope, id: newest.id, digest: digests.get(newest.id) ?? null };
  }
  return { salt, people };
}

/** Whether the record names the same people, scopes and ids as the server's list (digests cannot be checked). */
export function recordMatchesServer(record: AccessRecord | null, access: ObservedAccess, project: string, sandbox: string): boolean {
  const expected = recordFromServer(access, project, sandbox, null, new Map());
  const names = Object.keys(expected.people).sort();
  const recorded = Object.keys(record?.people ?? {}).sort();
  if (names.join('\n') !== recorded.join('\n')) return false;
  return names.every((name) => {
    const want = expected.people[name]!;
    const have = record!.people[name]!;
    return want.scope === have.scope && (have.id === null || want.id === have.id);
  });
}

/**
 * The record read as the server's list would read, for the planner when the server cannot list: one token per
 * recorded person. Null when an entry that the plan may have to revoke has no id (it did not fit a label).
 */
export function accessFromRecord(record: AccessRecord, project: string, sandbox: string, declared: readonly string[]): ObservedAccess | null {
  const byName = new Map(declared.map((person) => [recordName(person), person]));
  const tokens = [];
  for (const [name, entry] of Object.entries(record.people)) {
    const person = byName.get(name) ?? (name.startsWith('h-') ? null : name);
    if (person === null || entry.id === null) return null;
    tokens.push({ id: entry.id, scope: entry.scope, label: accessLabel(project, sandbox, person), createdAt: null });
  }
  return { tokens, bootedAt: null };
}

/** How this machine's value compares with the record: `current`, `other` (rotated elsewhere) or `unknown`. */
export function fileAgainstRecord(record: AccessRecord | null, sandbox: string, person: string, value: string): 'current' | 'other' | 'unknown' {
  const entry = record?.people[recordName(person)];
  if (entry?.digest == null || record?.salt == null) return 'unknown';
  return tokenValueDigest(sandbox, person, value, record.salt) === entry.digest ? 'current' : 'other';
}
