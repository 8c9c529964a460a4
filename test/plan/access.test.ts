import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { accessLabel, BOOT_OWNER_LABEL, type ObservedAccess, type ObservedToken } from '../../src/model/access.ts';
import { accessRecordLabels, recordFromServer, type AccessRecord } from '../../src/model/access-record.ts';
import type { DesiredSandbox } from '../../src/model/desired.ts';
import type { ObservedSandbox } from '../../src/model/observed.ts';
import { plan } from '../../src/plan/planner.ts';
import { desiredSandbox, desiredState, observedFrom, observedState } from '../helpers/states.ts';

const kept: Partial<DesiredSandbox> = {
  env: { OPENWORK_TOKEN_STORE: '/data/openwork/tokens.json' },
  mounts: [{ type: 'bind', source: '/tmp/owctl-test/data', target: '/data', readonly: false }],
};
const alice = desiredSandbox('alice', { ...kept, access: [{ person: 'bob', scope: 'viewer' }, { person: 'carol', scope: 'collaborator' }] });
const mine = (person: string, scope: string, id: string, createdAt = 5_000): ObservedToken => ({ id, scope, label: accessLabel('demo', 'alice', person), createdAt });
const live = (tokens: ObservedToken[], bootedAt: number | null = 1_000): ObservedAccess => ({ tokens, bootedAt });

/** By default the sandbox holds the record apply writes: the one the server's list gives (no record without a list). */
function planWith(desired: DesiredSandbox, access: ObservedAccess | undefined, options: { rotate?: string[]; replace?: string[]; wake?: boolean } = {}, record?: AccessRecord | null, overrides: Partial<ObservedSandbox> = {}) {
  const held = record !== undefined ? record : access === undefined ? null : recordFromServer(access, 'demo', desired.name, SALT, new Map());
  const bare = observedFrom('demo', { ...desired, access: undefined }, overrides);
  const observed = { ...bare, labels: { ...bare.labels, ...(held === null ? {} : accessRecordLabels(held)) }, ...(access === undefined ? {} : { access }) };
  const result = plan(desiredState([desired]), observedState([observed]), options);
  return result.changes[0]!;
}

const SALT = '0123456789abcdef0123456789abcdef';
const recorded = (people: Record<string, [AccessRecord['people'][string]['scope'], string]>): AccessRecord => ({
  salt: SALT,
  people: Object.fromEntries(Object.entries(people).map(([person, [scope, id]]) => [person, { scope, id, digest: 'v1-00000000000000000000000000000000' }])),
});

describe('access in the plan (tokens issued by the server, changed in place)', () => {
  it('a new sandbox issues one token per person', () => {
    const change = plan(desiredState([alice]), observedState([])).changes[0]!;
    assert.equal(change.action, 'create');
    assert.deepEqual(change.access, [
      { person: 'bob', issue: 'viewer', revoke: [], cause: 'added' },
      { person: 'carol', issue: 'collaborator', revoke: [], cause: 'added' },
    ]);
  });

  it('adding a person to a sandbox in sync is an in-place update without a restart', () => {
    const change = planWith(alice, live([mine('bob', 'viewer', 'tok_b')]));
    assert.deepEqual([change.action, change.restart, change.start], ['update', false, false]);
    assert.deepEqual(change.fields.map((f) => [f.path, f.before, f.after, f.disposition]), [['access.carol', null, 'collaborator', 'live']]);
    assert.deepEqual(change.access, [{ person: 'carol', issue: 'collaborator', revoke: [], cause: 'added' }]);
  });

  it('a person removed from the file has every token carrying their label revoked', () => {
    const desired = { ...alice, access: [{ person: 'bob', scope: 'viewer' as const }] };
    const change = planWith(desired, live([mine('bob', 'viewer', 'tok_b'), mine('carol', 'collaborator', 'tok_c')]));
    assert.equal(change.action, 'update');
    assert.deepEqual(change.access, [{ person: 'carol', revoke: ['tok_c'], cause: 'removed' }]);
  });

  it('a scope change issues a token of the new scope, then revokes the old one', () => {
    const change = planWith(alice, live([mine('bob', 'collaborator', 'tok_b'), mine('carol', 'collaborator', 'tok_c')]));
    assert.deepEqual(change.access, [{ person: 'bob', issue: 'viewer', revoke: ['tok_b'], cause: 'scope' }]);
    assert.deepEqual(change.fields.map((f) => [f.path, f.before, f.after]), [['access.bob', 'collaborator', 'viewer']]);
  });

  it('is in sync when the server lists one token of the declared scope per person', () => {
    const change = planWith(alice, live([mine('bob', 'viewer', 'tok_b'), mine('carol', 'collaborator', 'tok_c')]));
    assert.equal(change.action, 'noop');
    assert.equal(change.access, undefined);
  });

  it('--rotate NAME/PERSON rotates one person, --rotate NAME everyone', () => {
    const tokens = live([mine('bob', 'viewer', 'tok_b'), mine('carol', 'collaborator', 'tok_c')]);
    assert.deepEqual(planWith(alice, tokens, { rotate: ['alice/bob'] }).access, [{ person: 'bob', issue: 'viewer', revoke: ['tok_b'], cause: 'rotate' }]);
    assert.deepEqual(planWith(alice, tokens, { rotate: ['alice'] }).access?.map((op) => op.person), ['bob', 'carol']);
  });

  it("never touches a token whose label is not owctl's for this sandbox (another project's, a person's own)", () => {
    const others: ObservedToken[] = [
      { id: 'tok_x', scope: 'viewer', label: accessLabel('other', 'alice', 'bob'), createdAt: 5_000 },
      { id: 'tok_y', scope: 'collaborator', label: 'my laptop', createdAt: 5_000 },
      { id: 'tok_z', scope: 'viewer', label: null, createdAt: 5_000 },
    ];
    const change = planWith(alice, live([...others, mine('bob', 'viewer', 'tok_b'), mine('carol', 'collaborator', 'tok_c')]));
    assert.equal(change.action, 'noop');
  });

  it("the image's owner tokens from earlier boots are revoked; the current boot's is kept (fact: the orchestrator issues one per start)", () => {
    const boot = (id: string, createdAt: number): ObservedToken => ({ id, scope: 'owner', label: BOOT_OWNER_LABEL, createdAt });
    const tokens = live([boot('tok_old1', 100), boot('tok_old2', 200), boot('tok_now', 1_500), mine('bob', 'viewer', 'tok_b'), mine('carol', 'collaborator', 'tok_c')], 1_000_000);
    const change = planWith(alice, { tokens: tokens.tokens.map((t) => (t.id === 'tok_now' ? { ...t, createdAt: 1_000_500 } : t)), bootedAt: 1_000_000 });
    assert.deepEqual(change.access, [{ revoke: ['tok_old1', 'tok_old2'], cause: 'earlier_boot' }]);
    assert.equal(change.fields[0]?.origin, 'outside');
    // Without a boot time (the server did not say its uptime) nothing can be told apart: nothing is revoked.
    assert.equal(planWith(alice, { tokens: tokens.tokens, bootedAt: null }).action, 'noop');
  });

  it('a replacement keeps the tokens when the token store is under a mount (diffed as in place); the new sandbox is recorded', () => {
    const change = planWith(alice, live([mine('bob', 'viewer', 'tok_b'), mine('carol', 'collaborator', 'tok_c')]), { replace: ['alice'] });
    assert.equal(change.action, 'replace');
    assert.deepEqual(change.access, [{ revoke: [], cause: 'record' }]);
    assert.deepEqual(change.fields.filter((f) => f.path.startsWith('access.')), []);
  });

  it('a replacement whose token store is not kept says that every token changes, and issues them anew', () => {
    const desired = { ...alice, env: {}, mounts: [] };
    const change = planWith(desired, live([mine('bob', 'viewer', 'tok_b'), mine('carol', 'collaborator', 'tok_c')]), { replace: ['alice'] });
    assert.equal(change.action, 'replace');
    assert.deepEqual(change.access?.map((op) => [op.person, op.issue, op.cause]), [['bob', 'viewer', 'store_lost'], ['carol', 'collaborator', 'store_lost']]);
    assert.match(String(change.fields.find((f) => f.path === 'access.bob')?.after), /new token: the token store is not under a mount/);
  });

  it('plans nothing for access when neither the token list nor a record on the sandbox can be read, and says so', () => {
    const change = planWith(alice, undefined);
    assert.equal(change.access, undefined);
    assert.match(change.reason, /access not compared \(the server did not list its tokens, and the sandbox holds no record of them\)/);
  });
});

describe("access planned from owctl's record on the sandbox (ids and salted digests, never a value)", () => {
  const both = recorded({ bob: ['viewer', 'tok_b'], carol: ['collaborator', 'tok_c'] });

  it('a running sandbox whose server did not list: adds, removals and scope changes come from the record', () => {
    const desired = { ...alice, access: [{ person: 'bob', scope: 'collaborator' as const }, { person: 'dave', scope: 'viewer' as const }] };
    const change = planWith(desired, undefined, {}, both);
    assert.equal(change.action, 'update');
    assert.deepEqual(change.access, [
      { person: 'bob', issue: 'collaborator', revoke: ['tok_b'], cause: 'scope' },
      { person: 'carol', revoke: ['tok_c'], cause: 'removed' },
      { person: 'dave', issue: 'viewer', revoke: [], cause: 'added' },
    ]);
    assert.match(change.reason, /access compared with owctl's record on the sandbox \(its server did not list its tokens\)/);
  });

  it('a record that matches the file is in sync: no access change, no "not compared"', () => {
    const change = planWith(alice, undefined, {}, both);
    assert.equal(change.action, 'noop');
    assert.equal(change.access, undefined);
    assert.doesNotMatch(change.reason, /not compared/);
  });

  it('an asleep sandbox with a new person is started, then the token issued (only its server issues them)', () => {
    const change = planWith({ ...alice, access: [...alice.access!, { person: 'dave', scope: 'viewer' as const }] }, undefined, {}, both, { status: 'Stopped', server: 'unknown', stoppedBy: 'idle_timeout' });
    assert.deepEqual([change.action, change.start, change.asleep], ['update', true, undefined]);
    assert.deepEqual(change.access, [{ person: 'dave', issue: 'viewer', revoke: [], cause: 'added' }]);
    assert.match(change.reason, /then started \(it is Stopped\)/);
  });

  it('a stopped sandbox that is started anyway brings its record-planned removal along', () => {
    const change = planWith({ ...alice, access: [{ person: 'bob', scope: 'viewer' as const }] }, undefined, {}, both, { status: 'Stopped', server: 'unknown' });
    assert.deepEqual([change.action, change.start], ['start', true]);
    assert.deepEqual(change.access, [{ person: 'carol', revoke: ['tok_c'], cause: 'removed' }]);
  });

  it('with both, the server list wins: a record that disagrees is shown as a change made outside owctl and rewritten', () => {
    const stale = recorded({ bob: ['viewer', 'tok_old'], carol: ['collaborator', 'tok_c'], zed: ['viewer', 'tok_z'] });
    const change = planWith(alice, live([mine('bob', 'viewer', 'tok_b'), mine('carol', 'collaborator', 'tok_c')]), {}, stale);
    assert.equal(change.action, 'update');
    assert.deepEqual(change.access, [{ revoke: [], cause: 'record' }]);
    const field = change.fields.find((f) => f.path === 'access.(record on the sandbox)');
    assert.deepEqual([field?.before, field?.after, field?.origin], ['bob (viewer), carol (collaborator), zed (viewer)', 'bob (viewer), carol (collaborator)', 'outside']);
    // A sandbox made before owctl kept a record: the same heal writes its first one.
    assert.deepEqual(planWith(alice, live([mine('bob', 'viewer', 'tok_b'), mine('carol', 'collaborator', 'tok_c')]), {}, null).access, [{ revoke: [], cause: 'record' }]);
  });

  it('a record entry without an id (it did not fit a label) cannot be revoked from: access not compared', () => {
    const change = planWith({ ...alice, access: [] }, undefined, {}, { salt: SALT, people: { bob: { scope: 'viewer', id: null, digest: null } } });
    assert.equal(change.access, undefined);
    assert.match(change.reason, /access not compared/);
  });
});
