/** The planner on `network` and `credentials`: diffs from what msb records, values only through salted digests. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { credentialLabel, parseCredentialLabel } from '../../src/model/credentials.ts';
import type { DesiredSandbox } from '../../src/model/desired.ts';
import { LABEL_CREDENTIALS } from '../../src/model/labels.ts';
import { canonicalRules } from '../../src/model/network.ts';
import type { ObservedEgress } from '../../src/model/egress-observed.ts';
import type { ObservedSandbox } from '../../src/model/observed.ts';
import { plan } from '../../src/plan/planner.ts';
import { desiredSandbox, desiredState, observedFrom, observedState } from '../helpers/states.ts';

const KEY = 'sk-ant-plan-secret-0123456789';
const SALT = '00112233445566778899aabbccddeeff';

function declared(overrides: Partial<DesiredSandbox> = {}): DesiredSandbox {
  return desiredSandbox('alice', {
    network: { egress: 'deny', rules: [{ action: 'allow', target: 'api.anthropic.com', ports: [443] }, { action: 'allow', target: '*.github.com', ports: [] }] },
    credentials: { ANTHROPIC_API_KEY: { value: KEY, hosts: ['api.anthropic.com'] } },
    ...overrides,
  });
}

/** What msb records after owctl applied `sandbox` (policy as given, references only) and owctl's digest label. */
function applied(sandbox: DesiredSandbox, overrides: Partial<ObservedSandbox> = {}, egress: Partial<ObservedEgress> = {}): ObservedSandbox {
  const live = observedFrom('demo', sandbox, overrides);
  const credentials = sandbox.credentials ?? {};
  const label = credentialLabel(credentials, SALT);
  live.labels = { ...live.labels, [LABEL_CREDENTIALS]: label };
  live.egress = {
    policy: sandbox.network?.egress ? { egress: sandbox.network.egress, rules: canonicalRules(sandbox.network.rules ?? []) } : null,
    onViolation: Object.keys(credentials).length > 0 ? 'block-and-log' : null,
    credentials: Object.fromEntries(Object.entries(credentials).map(([name, spec]) => [name, { hosts: spec.hosts }])),
    injects: Object.keys(credentials).length > 0,
    record: { format: 'credential-label', salt: SALT, values: parseCredentialLabel(label)!.digests, bindings: {} },
    ...egress,
  };
  return live;
}

/** What msb records for a sandbox made without network or credentials, or with `policy` by hand. */
const plainEgress = (policy: ObservedEgress['policy'] = null): ObservedEgress => ({ policy, onViolation: null, credentials: {}, injects: false, record: null });

const planFor = (sandbox: DesiredSandbox, live: ObservedSandbox) => plan(desiredState([sandbox]), observedState([live])).changes[0]!;

describe('planning network and credentials', () => {
  it('what msb recorded matches the file and the digest matches the value: up to date', () => {
    const sandbox = declared();
    assert.equal(planFor(sandbox, applied(sandbox)).action, 'noop');
  });

  it('a new credential value (same hosts) is found through the salted digest: an in-place update that restarts the running sandbox, never showing the value', () => {
    const live = applied(declared());
    const rotated = declared({ credentials: { ANTHROPIC_API_KEY: { value: `${KEY}-rotated`, hosts: ['api.anthropic.com'] } } });
    const change = planFor(rotated, live);
    assert.equal(change.action, 'update');
    assert.equal(change.restart, true);
    assert.deepEqual(change.fields, [{ path: 'credentials.ANTHROPIC_API_KEY.value', before: '(sensitive value)', after: '(sensitive value)', sensitive: true, disposition: 'restart', origin: 'file' }]);
    assert.equal(JSON.stringify(change).includes(KEY), false);
  });

  it('other hosts for a credential: msb modify --secret changes it in place; on a stopped sandbox, no restart, then started', () => {
    const live = applied(declared(), { status: 'Stopped' });
    const more = declared({ credentials: { ANTHROPIC_API_KEY: { value: KEY, hosts: ['api.anthropic.com', 'console.anthropic.com'] } } });
    const change = planFor(more, live);
    assert.equal(change.action, 'update');
    assert.equal(change.restart, false);
    assert.equal(change.start, true);
    assert.deepEqual(change.fields.map((f) => [f.path, f.before, f.after, f.disposition]), [
      ['credentials.ANTHROPIC_API_KEY.hosts', 'hosts api.anthropic.com (value held on the host)', 'hosts api.anthropic.com, console.anthropic.com (value held on the host)', 'restart'],
    ]);
  });

  it('a credential added or removed is an update too', () => {
    const live = applied(declared());
    const added = declared({ credentials: { ANTHROPIC_API_KEY: { value: KEY, hosts: ['api.anthropic.com'] }, OPENAI_API_KEY: { value: 'sk-openai-0123456789', hosts: ['api.openai.com'] } } });
    const change = planFor(added, live);
    assert.equal(change.action, 'update');
    assert.deepEqual(change.fields.map((f) => [f.path, f.before, f.after]), [['credentials.OPENAI_API_KEY', null, 'hosts api.openai.com (value held on the host)']]);
    const removed = planFor(declared({ credentials: {} }), live);
    assert.deepEqual(removed.fields.map((f) => [f.path, f.after]), [['credentials.ANTHROPIC_API_KEY', null]]);
  });

  it('other rules cannot change in place on msb (msb modify has no network flags): the sandbox is replaced, with the reason', () => {
    const live = applied(declared());
    const change = planFor(declared({ network: { egress: 'deny', rules: [{ action: 'allow', target: 'api.anthropic.com', ports: [443] }] } }), live);
    assert.equal(change.action, 'replace');
    assert.match(change.reason, /network\.rules cannot change in place/);
    assert.deepEqual(change.fields.map((f) => [f.path, f.before, f.after]), [['network.rules', 'allow@api.anthropic.com:tcp:443, allow@*.github.com', 'allow@api.anthropic.com:tcp:443']]);
  });

  it('no network in the file and none recorded: nothing to compare (the runtime default); a recorded policy the file dropped is a replace', () => {
    const plain = desiredSandbox('alice');
    assert.equal(planFor(plain, observedFrom('demo', plain, { egress: plainEgress() })).action, 'noop');
    const leftover = observedFrom('demo', plain, { egress: plainEgress({ egress: 'deny', rules: ['allow@api.anthropic.com'] }) });
    const change = planFor(plain, leftover);
    assert.equal(change.action, 'replace');
    assert.deepEqual(change.fields.map((f) => [f.path, f.before, f.after]), [
      ['network.rules', 'allow@api.anthropic.com', 'allow@host:udp+tcp:53, allow@public'],
    ]);
  });

  it('rules without egress: msb appends allow@dns and allow@public after them, and the plan compares with that record', () => {
    const sandbox = declared({ network: { rules: [{ action: 'allow', target: 'api.anthropic.com', ports: [443] }] } });
    const live = applied(sandbox, {}, { policy: { egress: 'deny', rules: ['allow@api.anthropic.com:tcp:443', 'allow@host:udp+tcp:53', 'allow@public'] } });
    assert.equal(planFor(sandbox, live).action, 'noop');
  });

  it('a first credential for a sandbox made without one: msb modify --secret leaves TLS interception off (msb 0.6.18), so it is replaced', () => {
    const plain = desiredSandbox('alice');
    const live = observedFrom('demo', plain, { egress: plainEgress() });
    const change = planFor(declared({ network: undefined }), live);
    assert.equal(change.action, 'replace');
    assert.match(change.reason, /network\.tls_interception/);
  });

  it('a sandbox made by hand with the secret but without owctl\'s digest label: the value cannot be vouched for, so it is restarted with it', () => {
    const sandbox = declared();
    const live = applied(sandbox, {}, { record: null });
    assert.deepEqual(planFor(sandbox, live).fields.map((f) => f.path), ['credentials.ANTHROPIC_API_KEY.value']);
  });

  it('a new sandbox: its policy, on_violation and credential hosts are listed; with credentials and no network, the runtime default is named', () => {
    const created = plan(desiredState([declared()]), observedState([])).changes[0]!;
    const lines = created.fields.filter((f) => f.path.startsWith('network') || f.path.startsWith('credentials')).map((f) => `${f.path} = ${String(f.after)}`);
    assert.deepEqual(lines, [
      'network.egress = deny',
      'network.rules = allow@api.anthropic.com:tcp:443, allow@*.github.com',
      'network.on_violation = block-and-log',
      'credentials.ANTHROPIC_API_KEY = hosts api.anthropic.com (value held on the host)',
    ]);
    const bare = plan(desiredState([declared({ network: undefined })]), observedState([])).changes[0]!;
    assert.match(String(bare.fields.find((f) => f.path === 'network')?.after), /runtime default: egress deny with an implicit allow of public addresses/);
    assert.equal(JSON.stringify(created).includes(KEY), false);
  });

  it('a new sandbox with neither network nor credentials names the runtime default too: no rules is not no egress', () => {
    const created = plan(desiredState([desiredSandbox('alice')]), observedState([])).changes[0]!;
    assert.deepEqual(
      created.fields.filter((f) => f.path.startsWith('network')).map((f) => [f.path, f.after]),
      [['network', "(runtime default: egress deny with an implicit allow of public addresses (msb's default: allow@public))"]],
    );
  });
});
