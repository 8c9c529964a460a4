/**
 * Access (per-person tokens) in the plan: pure, from the file's `access:` and the token list observed on the
 * server. Every change lands in place, through the server's /tokens routes: no restart.
 */
import { peopleOf, staleOwnerTokens, tokenStoreKept, tokensOf, type ObservedAccess } from '../model/access.ts';
import type { BackendCapabilities } from '../model/capabilities.ts';
import type { DesiredSandbox } from '../model/desired.ts';
import type { AccessOp, Change, FieldChange } from '../model/plan.ts';

/** What `--rotate` asks for: every person of a sandbox (`NAME`), or one (`NAME/PERSON`). */
export type RotateRequest = ReadonlySet<string>;

export const EARLIER_BOOT_PATH = 'access.(owner tokens from earlier boots)';

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

/**
 * The change with its access part added. A sandbox in sync otherwise becomes an in-place update. A replacement keeps
 * the tokens when the token store is kept (under a mount), and otherwise says that every token changes.
 */
export function withAccess(project: string, planned: Change, desired: DesiredSandbox, access: ObservedAccess | undefined, rotate: RotateRequest, caps: BackendCapabilities): Change {
  let part: AccessPlan | undefined;
  if (planned.action === 'create') part = issueAll(desired, () => null, (scope) => scope, 'added', caps);
  else if (planned.action === 'replace' && !tokenStoreKept(desired)) {
    const note = (scope: string) => `${scope} (new token: the token store is not under a mount, so the replacement loses it)`;
    part = issueAll(desired, (person) => (access ? tokensOf(access, project, desired.name, person)[0]?.scope ?? null : null), note, 'store_lost', caps);
  } else if (access !== undefined && planned.action !== 'delete') part = diff(project, desired, access, rotate, caps);
  else if ((desired.access ?? []).length > 0 && planned.action !== 'delete') {
    // Nothing to compare with: say so rather than guess (the next plan, once the server answers, shows the rest).
    return { ...planned, reason: `${planned.reason}; access not compared (the server did not list its tokens)` };
  }
  if (part === undefined || (part.ops.length === 0 && part.unchanged === 0)) return planned;
  const next: Change = { ...planned, fields: [...planned.fields, ...part.fields], unchanged: planned.unchanged + part.unchanged };
  if (part.ops.length > 0) next.access = part.ops;
  if (planned.action === 'noop' && part.ops.length > 0) {
    const { asleep: _asleep, ...rest } = next;
    return { ...rest, action: 'update', reason: 'will be updated in place (no downtime: tokens only)' };
  }
  return next;
}

