/** The planner reads a backend's capabilities as data: the same file and live state plan differently per engine. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BackendCapabilities } from '../../src/model/capabilities.ts';
import { OPENSANDBOX_CAPABILITIES } from '../../src/opensandbox/capabilities.ts';
import { groupDigests } from '../../src/model/digests.ts';
import type { DesiredSandbox } from '../../src/model/desired.ts';
import type { ObservedSandbox } from '../../src/model/observed.ts';
import { SENSITIVE } from '../../src/model/plan.ts';
import { plan } from '../../src/plan/planner.ts';
import { desiredSandbox, desiredState, observedFrom, observedState } from '../helpers/states.ts';

/** OpenSandbox's own capabilities: only labels, protect and a longer expiry change in place; names are metadata. */
const REMOTE: BackendCapabilities = OPENSANDBOX_CAPABILITIES;

const alice = desiredSandbox('alice', { mounts: [], ports: [], idleTimeoutSecs: undefined, command: ['/entry.sh'] });

/** What the remote engine reports: nothing but metadata, id, status; digests recorded at create. */
function remote(sandbox: DesiredSandbox, id: string, overrides: Partial<ObservedSandbox> = {}): ObservedSandbox {
  const salt = '00112233445566778899aabbccddeeff';
  return observedFrom('demo', sandbox, {
    id,
    labels: { 'owctl.dev/project': 'demo', ...sandbox.labels },
    cpus: 0,
    memoryMib: 0,
    env: {},
    mounts: [],
    digests: { ...groupDigests(sandbox, salt), salt },
    ...overrides,
  });
}

const onRemote = (sandboxes: ObservedSandbox[]) => ({ ...observedState(sandboxes), capabilities: REMOTE });

describe('planner with capabilities', () => {
  it('replaces destroy-first on msb and create-first where the engine allows it', () => {
    const changed = { ...alice, image: { ref: 'openwork:v2' } };
    const onMsb = plan(desiredState([changed]), observedState([observedFrom('demo', alice)])).changes[0]!;
    assert.deepEqual([onMsb.action, onMsb.create_first], ['replace', undefined]);
    const created = plan(desiredState([changed]), onRemote([remote(alice, 'id-1')])).changes[0]!;
    assert.deepEqual([created.action, created.create_first, created.instances], ['replace', true, ['id-1']]);
    assert.match(created.reason, /created and verified, then the old one deleted/);
  });

  it('a server that gives every sandbox one address (capabilities say why) plans the replacement delete-first, its downtime shown', () => {
    const shared: BackendCapabilities = { ...REMOTE, createBeforeDestroy: false, deleteFirstBecause: 'every sandbox on this server gets the same address (host networking)' };
    const changed = { ...alice, image: { ref: 'openwork:v2' } };
    const replaced = plan(desiredState([changed]), { ...observedState([remote(alice, 'id-1')]), capabilities: shared }).changes[0]!;
    assert.deepEqual([replaced.action, replaced.create_first, replaced.instances], ['replace', undefined, ['id-1']]);
    assert.match(replaced.reason, /destroy, then create \(downtime until the new one verifies: every sandbox on this server gets the same address \(host networking\)\)/);
    const requested = plan(desiredState([alice]), { ...observedState([remote(alice, 'id-1')]), capabilities: shared }, { replace: ['alice'] }).changes[0]!;
    assert.deepEqual([requested.action, requested.create_first], ['replace', undefined]);
    assert.match(requested.reason, /downtime until the new one verifies: every sandbox/);
  });

  it('compares unreadable fields through recorded digests: equal is a no-op, a token change is a sensitive replace', () => {
    assert.equal(plan(desiredState([alice]), onRemote([remote(alice, 'id-1')])).changes[0]!.action, 'noop');
    const rotated = { ...alice, tokens: { ...alice.tokens, client: 'another-client-token-0123456789' } };
    const change = plan(desiredState([rotated]), onRemote([remote(alice, 'id-1')])).changes[0]!;
    assert.equal(change.action, 'replace');
    assert.deepEqual(change.fields.map((f) => [f.path, f.before, f.after, f.sensitive]), [['tokens', SENSITIVE, SENSITIVE, true]]);
    const bigger = plan(desiredState([{ ...alice, memoryMib: 4096 }]), onRemote([remote(alice, 'id-1')])).changes[0]!;
    assert.deepEqual([bigger.action, bigger.fields.map((f) => f.path)], ['replace', ['resources']]);
  });

  it('a longer max_duration is a live update (renew); a shorter one is a replacement', () => {
    const longer = plan(desiredState([{ ...alice, maxDurationSecs: 36000 }]), onRemote([remote(alice, 'id-1')])).changes[0]!;
    assert.deepEqual([longer.action, longer.fields.map((f) => [f.path, f.disposition])], ['update', [['max_duration', 'live']]]);
    const shorter = plan(desiredState([{ ...alice, maxDurationSecs: 3600 }]), onRemote([remote(alice, 'id-1')])).changes[0]!;
    assert.equal(shorter.action, 'replace');
  });

  it('shows two live sandboxes with one name and heals them; a removed label is seen without an applied record', () => {
    const change = plan(desiredState([alice]), onRemote([remote(alice, 'id-b', { status: 'Paused' }), remote(alice, 'id-a')])).changes[0]!;
    assert.deepEqual([change.action, change.heal, change.instances], ['update', true, ['id-a', 'id-b']]);
    const labelled = remote({ ...alice, labels: { team: 'x' } }, 'id-1');
    const unlabel = plan(desiredState([alice]), onRemote([labelled])).changes[0]!;
    assert.deepEqual(unlabel.fields.map((f) => [f.path, f.before, f.after, f.disposition]), [['labels.team', 'x', null, 'live']]);
  });

  it('a stopped sandbox on an engine that cannot restart it, or a dead server it cannot relaunch, is replaced', () => {
    assert.equal(plan(desiredState([alice]), onRemote([remote(alice, 'id-1', { status: 'Stopped' })])).changes[0]!.action, 'replace');
    assert.equal(plan(desiredState([alice]), onRemote([remote(alice, 'id-1', { server: 'down' })])).changes[0]!.action, 'replace');
    assert.equal(plan(desiredState([alice]), onRemote([remote(alice, 'id-1', { status: 'Paused' })])).changes[0]!.action, 'start');
  });
});
