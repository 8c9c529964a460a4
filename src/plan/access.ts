/**
 * Access (per-person tokens) in the plan: pure, from the file's `access:` and the token list observed on the
 * server. Every change lands in place, through the server's /tokens routes: no restart.
 */
import { peopleOf, staleOwnerTokens, tokenStoreKept, tokensOf, type ObservedAccess } from '../model/access.ts';
import { accessFromRecord, recordMatchesServer, type AccessRecord } from '../model/access-record.ts';
import type { BackendCapabilities } from '../model/capabilities.ts';
import type { DesiredSandbox } from '../model/desired.ts';
import type { AccessOp, Change, FieldChange } from '../model/plan.ts';

/** What `--rotate` asks for: every person of a sandbox (`NAME`), or one (`NAME/PERSON`). */
export type RotateRequest = ReadonlySet<string>;

export const EARLIER_BOOT_PATH = 'access.(owner tokens from earlier boots)';
export const RECORD_PATH = 'access.(record on the sandbox)';
const FROM_RECORD = "access compared with owctl's record on the sandbox (its server did not list its tokens)";

const rotating = (rotate: RotateRequest, sandbox: string, person: string) => rotate.has(sandbox) || rotate.has(`${sandbox}/${person}`);

function field(path: string, before: unknown, after: unknown, caps: BackendCapabilities, origin: 'file' | 'outside' = 'file'): FieldChange {
  return { path, before, after, sensitive: false, disposition: caps.inPlace.access, origin };
}

interface AccessPlan {
  fields: FieldChange[];
  ops: AccessOp[];
  unchanged: number;
}

/** Every declared person gets a new token (a new sandbox, or one whose token store was not kept). */
function issueAll(desired: DesiredSandbox, before: (person: string) => unknown, after: (scope: string) => string, cause: AccessOp['cause'], caps: BackendCapabilities): AccessPlan {
  const entries = desired.access ?? [];
  return {
    fields: entries.map((e) => field(`access.${e.person}`, before(e.person), after(e.scope), caps)),
    ops: entries.map((e) => ({ person: e.person, issue: e.scope, revoke: [], cause })),
    unchanged: 0,
  };
}

/** The file against the server's list: add, revoke, scope change, rotation; and the image's stale owner tokens. */
function diff(project: string, desired: DesiredSandbox, access: ObservedAccess, rotate: RotateRequest, caps: BackendCapabilities): AccessPlan {
  const wanted = new Map((desired.access ?? []).map((e) => [e.person, e.scope]));
  const people = [...new Set([...wanted.keys(), ...peopleOf(access, project, desired.name)])].sort();
  const out: AccessPlan = { fields: [], ops: [], unchanged: 0 };
  for (const person of people) {
    const path = `access.${person}`;
    const scope = wanted.get(person);
    const held = tokensOf(access, project, desired.name, person);
    const ids = held.map((t) => t.id);
    const scopes = [...new Set(held.map((t) => t.scope))].join(', ');
    if (scope === undefined) {
      out.fields.push(field(path, scopes, null, caps));
      out.ops.push({ person, revoke: ids, cause: 'removed' });
    } else if (held.length === 0) {
      out.fields.push(field(path, null, scope, caps));
      out.ops.push({ person, issue: scope, revoke: [], cause: 'added' });
    } else if (held.some((t) => t.scope !== scope) || held.length > 1) {
      // Two tokens for one person (an apply cut between issuing and revoking) converge like a scope change.
      out.fields.push(field(path, held.length > 1 ? `${scopes} (${held.length} tokens)` : scopes, scope, caps));
      out.ops.push({ person, issue: scope, revoke: ids, cause: 'scope' });
    } else if (rotating(rotate, desired.name, person)) {
      out.fields.push(field(path, scope, `${scope} (new token, as requested)`, caps));
      out.ops.push({ person, issue: scope, revoke: ids, cause: 'rotate' });
    } else out.unchanged += 1;
  }
  const stale = staleOwnerTokens(access);
  if (stale.length > 0) {
    out.fields.push(field(EARLIER_BOOT_PATH, `${stale.length} owner token${stale.length === 1 ? '' : 's'} issued before this boot`, null, caps, 'outside'));
    out.ops.push({ revoke: stale.map((t) => t.id), cause: 'earlier_boot' });
  }
  return out;
}

const recordOp: AccessOp = { revoke: [], cause: 'record' };

/** What the record says, for the plan: its people and scopes. */
function describeRecord(record: AccessRecord | null): string | null {
  const names = Object.keys(record?.people ?? {}).sort();
  return names.length === 0 ? null : names.map((name) => `${name} (${record!.people[name]!.scope})`).join(', ');
}

/** The server's list against the record: a record that disagrees (or is missing) is rewritten from the list. */
function healRecord(project: string, desired: DesiredSandbox, access: ObservedAccess, record: AccessRecord | null, caps: BackendCapabilities): AccessPlan | undefined {
  if (recordMatchesServer(record, access, project, desired.name)) return undefined;
  const people = peopleOf(access, project, desired.name);
  const after = people.length === 0 ? null : people.map((p) => `${p} (${tokensOf(access, project, desired.name, p).at(-1)!.scope})`).join(', ');
  return { fields: [field(RECORD_PATH, describeRecord(record), after, caps, 'outside')], ops: [recordOp], unchanged: 0 };
}

/**
 * The change with its access part added. A sandbox in sync otherwise becomes an in-place update. A replacement keeps
 * the tokens when the token store is kept (under a mount), and otherwise says that every token changes. Without the
 * server's list, owctl's record on the sandbox stands in for it; with both, the list wins and heals the record.
 */
export function withAccess(project: string, planned: Change, desired: DesiredSandbox, access: ObservedAccess | undefined, rotate: RotateRequest, caps: BackendCapabilities, record: AccessRecord | null = null): Change {
  let part: AccessPlan | undefined;
  let reason = planned.reason;
  const declared = (desired.access ?? []).map((e) => e.person);
  const recorded = record === null ? null : accessFromRecord(record, project, desired.name, declared);
  if (planned.action === 'create') part = issueAll(desired, () => null, (scope) => scope, 'added', caps);
  else if (planned.action === 'replace' && !tokenStoreKept(desired)) {
    const note = (scope: string) => `${scope} (new token: the token store is not under a mount, so the replacement loses it)`;
    const seen = access ?? recorded;
    part = issueAll(desired, (person) => (seen ? tokensOf(seen, project, desired.name, person)[0]?.scope ?? null : null), note, 'store_lost', caps);
  } else if (access !== undefined && planned.action !== 'delete') {
    part = diff(project, desired, access, rotate, caps);
    // The list wins; the record follows it (ops rewrite it anyway; a replacement's new sandbox starts without one).
    const heal = part.ops.length === 0 ? (planned.action === 'replace' ? { fields: [], ops: [recordOp], unchanged: 0 } : healRecord(project, desired, access, record, caps)) : undefined;
    if (heal !== undefined) part = { fields: [...part.fields, ...heal.fields], ops: heal.ops, unchanged: part.unchanged };
  } else if (recorded !== null && planned.action !== 'delete') {
    part = diff(project, desired, recorded, rotate, caps);
    if (planned.action === 'replace' && part.ops.length === 0) part.ops.push(recordOp);
    reason = `${reason}; ${FROM_RECORD}`;
  } else if ((declared.length > 0 || Object.keys(record?.people ?? {}).length > 0) && planned.action !== 'delete') {
    // Nothing to compare with: say so rather than guess (the next plan, once the server answers, shows the rest).
    return { ...planned, reason: `${planned.reason}; access not compared (the server did not list its tokens, and the sandbox holds no record of them)` };
  }
  if (part === undefined || (part.ops.length === 0 && part.unchanged === 0)) return planned;
  const next: Change = { ...planned, reason, fields: [...planned.fields, ...part.fields], unchanged: planned.unchanged + part.unchanged };
  if (part.ops.length > 0) next.access = part.ops;
  if (planned.action === 'noop' && part.ops.length > 0) {
    const { asleep: _asleep, ...rest } = next;
    // A stopped (asleep) sandbox is started first: only its server issues and revokes tokens.
    const down = planned.status !== 'Running' && planned.status !== 'Starting';
    const how = down ? `then started (it is ${planned.status}): tokens only` : 'no downtime: tokens only';
    return { ...rest, action: 'update', reason: `will be updated in place (${how})${reason === planned.reason ? '' : `; ${FROM_RECORD}`}`, start: down };
  }
  return next;
}
