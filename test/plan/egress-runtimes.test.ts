/**
 * One comparator for every runtime: the same declared change to `network` or `credentials` gives the same plan
 * lines on msb and on OpenSandbox, each observed through its own runtime's mapping (msb's `inspect` record and
 * owctl's credentials label; OpenSandbox's metadata and sidecar answer). Only how a change lands differs, and
 * then it is exactly what the runtime's capabilities say.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BackendCapabilities, EgressChangeKind } from '../../src/model/capabilities.ts';
import { MSB_CAPABILITIES } from '../../src/model/capabilities.ts';
import { credentialLabel } from '../../src/model/credentials.ts';
import { credentialsOf, type DesiredSandbox } from '../../src/model/desired.ts';
import { groupDigests } from '../../src/model/digests.ts';
import { LABEL_CREDENTIALS } from '../../src/model/labels.ts';
import { canonicalRules } from '../../src/model/network.ts';
import type { ObservedSandbox } from '../../src/model/observed.ts';
import type { Change } from '../../src/model/plan.ts';
import { normaliseEgress } from '../../src/msb/normalize-network.ts';
import { OPENSANDBOX_CAPABILITIES } from '../../src/opensandbox/capabilities.ts';
import { creationMarkers, egressAtRest, egressMetadata } from '../../src/opensandbox/egress-metadata.ts';
import { plan } from '../../src/plan/planner.ts';
import { desiredSandbox, desiredState, observedFrom, observedState } from '../helpers/states.ts';

const SALT = '00112233445566778899aabbccddeeff';
const KEY = 'sk-ant-runtimes-0a1b2c3d4e5f6a7b';

/** Within what both runtimes express: domain rules without ports, a credential with the default header. */
const agent = desiredSandbox('agent', {
  network: { egress: 'deny', rules: [{ action: 'allow', target: 'api.anthropic.com', ports: [] }] },
  credentials: { ANTHROPIC_API_KEY: { value: KEY, hosts: ['api.anthropic.com'] } },
});

/** What `msb inspect` records for a sandbox owctl created from `applied`, with the label owctl's msb backend writes. */
function onMsb(applied: DesiredSandbox): ObservedSandbox {
  const credentials = credentialsOf(applied);
  const network = {
    policy: {
      default_egress: applied.network!.egress,
      rules: applied.network!.rules!.map((r) => ({ action: r.action, direction: 'egress', destination: { domain: r.target }, protocols: [], ports: [] })),
    },
    secrets: {
      on_violation: 'block-and-log',
      secrets: Object.entries(credentials).map(([name, c]) => ({ env_var: name, allowed_hosts: c.hosts.map((exact) => ({ exact })) })),
    },
    tls: { enabled: true },
  };
  const live = observedFrom('demo', applied);
  live.labels = { ...live.labels, [LABEL_CREDENTIALS]: credentialLabel(credentials, SALT) };
  live.egress = normaliseEgress(network, live.labels);
  return live;
}

/** What OpenSandbox reports for a sandbox owctl created from `applied`: its metadata, then its sidecar's answer. */
function onOpenSandbox(applied: DesiredSandbox): ObservedSandbox {
  const atRest = egressAtRest({ ...egressMetadata(applied, SALT), ...creationMarkers(applied) }, SALT);
  const credentials = Object.fromEntries(Object.entries(credentialsOf(applied)).map(([name, c]) => [name, { hosts: c.hosts }]));
  return observedFrom('demo', applied, {
    id: 'id-1',
    digests: { ...groupDigests(applied, SALT), salt: SALT },
    egress: { ...atRest, policy: { egress: applied.network!.egress!, rules: canonicalRules(applied.network!.rules!) }, credentials },
  });
}

const RUNTIMES: Array<[BackendCapabilities, (applied: DesiredSandbox) => ObservedSandbox]> = [
  [MSB_CAPABILITIES, onMsb],
  [OPENSANDBOX_CAPABILITIES, onOpenSandbox],
];

function planned(caps: BackendCapabilities, observe: (applied: DesiredSandbox) => ObservedSandbox, wanted: DesiredSandbox): Change {
  return plan(desiredState([wanted]), { ...observedState([observe(agent)]), capabilities: caps }).changes[0]!;
}

/** The lines a change shows, and how each lands on `caps`'s runtime. */
function across(wanted: DesiredSandbox, kinds: EgressChangeKind[]) {
  const plans = RUNTIMES.map(([caps, observe]) => ({ caps, change: planned(caps, observe, wanted) }));
  for (const { caps, change } of plans) {
    assert.deepEqual(
      change.fields.map((f) => [f.disposition, f.reason]),
      kinds.map((kind) => [caps.egress.changes[kind].disposition, caps.egress.changes[kind].reason]),
      `${caps.backend}: each change lands as its capabilities say`,
    );
  }
  const lines = plans.map(({ change }) => change.fields.map((f) => [f.path, f.before, f.after, f.sensitive, f.origin]));
  return { lines, msb: plans[0]!.change, opensandbox: plans[1]!.change };
}

describe('planner: one egress comparison on msb and OpenSandbox', () => {
  it('as applied: up to date on both', () => {
    for (const [caps, observe] of RUNTIMES) assert.equal(planned(caps, observe, agent).action, 'noop', caps.backend);
  });

  it('a new default action: the same line, and both engines agree it needs a new sandbox', () => {
    const open = { ...agent, network: { ...agent.network!, egress: 'allow' as const } };
    const { lines, msb, opensandbox } = across(open, ['default_action']);
    assert.deepEqual(lines[0], [['network.egress', 'deny', 'allow', false, 'file']]);
    assert.deepEqual(lines[1], lines[0]);
    assert.deepEqual([msb.action, opensandbox.action], ['replace', 'replace']);
  });

  it('another rule: the same line; msb replaces the sandbox, OpenSandbox updates the sidecar live', () => {
    const more = { ...agent, network: { ...agent.network!, rules: [...agent.network!.rules!, { action: 'allow' as const, target: '*.github.com', ports: [] }] } };
    const { lines, msb, opensandbox } = across(more, ['rules']);
    assert.deepEqual(lines[0], [['network.rules', 'allow@api.anthropic.com', 'allow@api.anthropic.com, allow@*.github.com', false, 'file']]);
    assert.deepEqual(lines[1], lines[0]);
    assert.deepEqual([msb.action, opensandbox.action], ['replace', 'update']);
  });

  it('a rotated value: the same sensitive line; msb restarts the running sandbox, OpenSandbox patches its vault', () => {
    const rotated = { ...agent, credentials: { ANTHROPIC_API_KEY: { value: `${KEY}-rotated`, hosts: ['api.anthropic.com'] } } };
    const { lines, msb, opensandbox } = across(rotated, ['credential_value']);
    assert.deepEqual(lines[0], [['credentials.ANTHROPIC_API_KEY.value', '(sensitive value)', '(sensitive value)', true, 'file']]);
    assert.deepEqual(lines[1], lines[0]);
    assert.deepEqual([msb.action, msb.restart, opensandbox.action, opensandbox.restart], ['update', true, 'update', false]);
    assert.equal(JSON.stringify([msb, opensandbox]).includes(KEY), false);
  });

  it('other hosts or a removed credential: the same paths; the binding says how each runtime carries the value', () => {
    const more = { ...agent, credentials: { ANTHROPIC_API_KEY: { value: KEY, hosts: ['api.anthropic.com', 'claude.ai'] } } };
    const moved = across(more, ['credential_binding']);
    assert.deepEqual(moved.lines[0], [['credentials.ANTHROPIC_API_KEY.hosts', 'hosts api.anthropic.com (value held on the host)', 'hosts api.anthropic.com, claude.ai (value held on the host)', false, 'file']]);
    assert.deepEqual(moved.lines[1], [['credentials.ANTHROPIC_API_KEY.hosts', 'hosts api.anthropic.com (Authorization: Bearer)', 'hosts api.anthropic.com, claude.ai (Authorization: Bearer)', false, 'file']]);
    const removed = across({ ...agent, credentials: undefined }, ['credential_removed']);
    assert.deepEqual(removed.lines.map((fields) => fields.map(([path, , after]) => [path, after])), [[['credentials.ANTHROPIC_API_KEY', null]], [['credentials.ANTHROPIC_API_KEY', null]]]);
  });
});
