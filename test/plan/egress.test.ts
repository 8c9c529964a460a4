/**
 * The planner compares egress policy and credentials where the engine reports them (OpenSandbox's sidecar and
 * Credential Vault): each field with its disposition and the engine's reason, values only through salted digests.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { groupDigests } from '../../src/model/digests.ts';
import type { DesiredSandbox } from '../../src/model/desired.ts';
import type { ObservedEgress } from '../../src/model/egress-observed.ts';
import type { ObservedSandbox } from '../../src/model/observed.ts';
import { SENSITIVE } from '../../src/model/plan.ts';
import { OPENSANDBOX_CAPABILITIES } from '../../src/opensandbox/capabilities.ts';
import { creationMarkers, egressAtRest, egressMetadata } from '../../src/opensandbox/egress-metadata.ts';
import { plan } from '../../src/plan/planner.ts';
import { desiredSandbox, desiredState, observedFrom, observedState } from '../helpers/states.ts';

const SALT = '00112233445566778899aabbccddeeff';
const KEY = 'sk-ant-planner-5e6f7a8b9c0d1e2f';

const agent = desiredSandbox('agent', {
  mounts: [],
  ports: [],
  idleTimeoutSecs: undefined,
  command: ['/entry.sh'],
  network: { egress: 'deny', rules: [{ action: 'allow', target: 'api.anthropic.com', ports: [] }] },
  credentials: { ANTHROPIC_API_KEY: { value: KEY, hosts: ['api.anthropic.com'], header: 'x-api-key' } },
});

/** What the sidecar and vault answer for `agent` as applied (the metadata's account is added by `live`). */
const asApplied: Partial<ObservedEgress> = {
  policy: { egress: 'deny', rules: ['allow@api.anthropic.com'] },
  credentials: { ANTHROPIC_API_KEY: { hosts: ['api.anthropic.com'], header: 'x-api-key' } },
};

/** `applied` as OpenSandbox observes it: its metadata's account (opensandbox/egress-metadata.ts), then `read`. */
function live(applied: DesiredSandbox, read: Partial<ObservedEgress>): ObservedSandbox {
  const atRest = egressAtRest({ ...egressMetadata(applied, SALT), ...creationMarkers(applied) }, SALT);
  return observedFrom('demo', applied, {
    id: 'id-1',
    labels: { 'owctl.dev/project': 'demo' },
    cpus: 0,
    memoryMib: 0,
    env: {},
    mounts: [],
    digests: { ...groupDigests(applied, SALT), salt: SALT },
    egress: { ...atRest, ...read },
  });
}

const planOf = (wanted: DesiredSandbox, observed: ObservedSandbox) => plan(desiredState([wanted]), { ...observedState([observed]), capabilities: OPENSANDBOX_CAPABILITIES }).changes[0]!;

describe('planner: egress and credentials on an engine that reports them', () => {
  it('nothing to do when the sidecar reports the declared policy and the vault the declared bindings', () => {
    assert.equal(planOf(agent, live(agent, asApplied)).action, 'noop');
  });

  it('a rotated value is a live vault update, shown only as (sensitive value)', () => {
    const rotated = { ...agent, credentials: { ANTHROPIC_API_KEY: { ...agent.credentials!.ANTHROPIC_API_KEY!, value: 'sk-ant-rotated-99aa88bb77cc66dd' } } };
    const change = planOf(rotated, live(agent, asApplied));
    assert.equal(change.action, 'update');
    assert.deepEqual(change.fields, [{ path: 'credentials.ANTHROPIC_API_KEY.value', before: SENSITIVE, after: SENSITIVE, sensitive: true, disposition: 'live', origin: 'file', reason: 'through a Credential Vault PATCH' }]);
    assert.ok(!JSON.stringify(change).includes(KEY));
  });

  it('changed rules are a live /policy update; a changed default action needs a new sandbox, and says why', () => {
    const more = { ...agent, network: { egress: 'deny' as const, rules: [...agent.network!.rules!, { action: 'allow' as const, target: '*.github.com', ports: [] }] } };
    const updated = planOf(more, live(agent, asApplied));
    assert.equal(updated.action, 'update');
    assert.deepEqual(updated.fields.map((f) => [f.path, f.before, f.after, f.disposition]), [['network.rules', 'allow@api.anthropic.com', 'allow@api.anthropic.com, allow@*.github.com', 'live']]);
    const open = { ...agent, network: { ...agent.network!, egress: 'allow' as const } };
    const replaced = planOf(open, live(agent, asApplied));
    assert.equal(replaced.action, 'replace');
    assert.match(replaced.fields[0]!.reason!, /cannot change its default action/);
  });

  it('removing a credential is live; adding one (a new guest variable) or a first policy needs a new sandbox', () => {
    const none = { ...agent, credentials: undefined };
    const removed = planOf(none, live(agent, asApplied));
    assert.deepEqual([removed.action, removed.fields[0]!.path, removed.fields[0]!.disposition], ['update', 'credentials.ANTHROPIC_API_KEY', 'live']);
    const bare = { ...agent, network: undefined, credentials: undefined };
    const first = planOf(agent, live(bare, {}));
    assert.equal(first.action, 'replace');
    assert.deepEqual(first.fields.map((f) => [f.path, f.before, f.after]), [
      ['network.egress', 'allow', 'deny'],
      ['network.rules', '(none)', 'allow@api.anthropic.com'],
      ['network.credential_proxy', 'off', 'on'],
      ['credentials.ANTHROPIC_API_KEY', null, 'hosts api.anthropic.com (x-api-key)'],
    ]);
    assert.match(first.fields[0]!.reason!, /no egress sidecar/);
  });

  it('rules or a binding changed on the sidecar while the file still says what was applied: changed outside owctl', () => {
    const edited: Partial<ObservedEgress> = { policy: { egress: 'deny', rules: ['allow@evil.example.com'] }, credentials: { ANTHROPIC_API_KEY: { hosts: ['evil.example.com'], header: 'x-api-key' } } };
    const change = planOf(agent, live(agent, edited));
    assert.equal(change.action, 'update');
    assert.deepEqual(change.fields.map((f) => [f.path, f.origin]), [['network.rules', 'outside'], ['credentials.ANTHROPIC_API_KEY.hosts', 'outside']]);
  });

  it('a new sandbox\'s plan shows no on_violation where the engine has none', () => {
    const created = plan(desiredState([agent]), { ...observedState([]), capabilities: OPENSANDBOX_CAPABILITIES }).changes[0]!;
    assert.equal(created.action, 'create');
    assert.ok(created.fields.some((f) => f.path === 'credentials.ANTHROPIC_API_KEY'));
    assert.ok(!created.fields.some((f) => f.path === 'network.on_violation'));
  });

  it('a sidecar that did not answer: the digests recorded at apply stand in', () => {
    const unread = live(agent, {});
    assert.equal(planOf(agent, unread).action, 'noop');
    const moved = { ...agent, credentials: { ANTHROPIC_API_KEY: { ...agent.credentials!.ANTHROPIC_API_KEY!, hosts: ['api.anthropic.com', 'claude.ai'] } } };
    assert.deepEqual(planOf(moved, unread).fields.map((f) => f.path), ['credentials.ANTHROPIC_API_KEY.hosts']);
  });
});
