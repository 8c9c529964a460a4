import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SENSITIVE } from '../../src/model/plan.ts';
import { plan } from '../../src/plan/planner.ts';
import { CLIENT_TOKEN, HOST_TOKEN, desiredSandbox, desiredState, observedFrom, observedState } from '../helpers/states.ts';

const alice = desiredSandbox('alice');

function only(result: ReturnType<typeof plan>) {
  assert.equal(result.changes.length, 1);
  return result.changes[0]!;
}

describe('planner', () => {
  it('creates every declared sandbox when nothing is live', () => {
    const result = plan(desiredState([alice, desiredSandbox('bob')]), observedState([]));
    assert.deepEqual(result.changes.map((c) => [c.sandbox, c.action]), [['alice', 'create'], ['bob', 'create']]);
    assert.equal(result.summary.create, 2);
  });

  it('is a no-op when the live sandbox matches the file', () => {
    const change = only(plan(desiredState([alice]), observedState([observedFrom('demo', alice)])));
    assert.equal(change.action, 'noop');
    assert.ok(change.unchanged > 5);
  });

  it('updates memory in place: on a stopped sandbox then starts it, on a running one with a restart', () => {
    const stopped = only(plan(desiredState([{ ...alice, memoryMib: 1024 }]), observedState([observedFrom('demo', alice, { status: 'Stopped' })])));
    assert.equal(stopped.action, 'update');
    assert.deepEqual([stopped.restart, stopped.start], [false, true]);
    assert.deepEqual(stopped.fields.map((f) => [f.path, f.before, f.after, f.origin]), [['resources.memory', '2G', '1G', 'file']]);
    const running = only(plan(desiredState([{ ...alice, memoryMib: 4096 }]), observedState([observedFrom('demo', alice)])));
    assert.deepEqual([running.action, running.restart, running.start], ['update', true, true]);
  });

  it('changes labels of a running sandbox without a restart', () => {
    const change = only(plan(desiredState([{ ...alice, labels: { team: 'research' } }]), observedState([observedFrom('demo', alice)])));
    assert.deepEqual([change.action, change.restart, change.start], ['update', false, false]);
  });

  it('replaces on image, port or mount change and names each forcing field', () => {
    const live = observedFrom('demo', alice);
    const changed = {
      ...alice,
      image: { ref: 'openwork-microsandbox:v2' },
      ports: [{ host: 9000, guest: 8787, bind: '127.0.0.1', protocol: 'tcp' as const }],
    };
    const change = only(plan(desiredState([changed]), observedState([live])));
    assert.equal(change.action, 'replace');
    assert.deepEqual(change.fields.map((f) => f.path), ['image', 'ports[127.0.0.1:8787/tcp]', 'ports[127.0.0.1:9000/tcp]']);
    assert.match(change.reason, /image, ports/);
    assert.ok(change.fields.every((f) => f.disposition === 'replace' && f.origin === 'file'));
  });

  it('deletes owned sandboxes that left the file, and refuses protected ones', () => {
    const bob = desiredSandbox('bob', { protect: true });
    const result = plan(desiredState([]), observedState([observedFrom('demo', alice), observedFrom('demo', bob)]));
    assert.deepEqual(result.changes.map((c) => [c.sandbox, c.action, c.blocked]), [['alice', 'delete', false], ['bob', 'delete', true]]);
  });

  it('starts a stopped sandbox and relaunches a server that does not answer', () => {
    const stopped = only(plan(desiredState([alice]), observedState([observedFrom('demo', alice, { status: 'Stopped' })])));
    assert.equal(stopped.action, 'start');
    assert.match(stopped.reason, /Stopped/);
    const silent = only(plan(desiredState([alice]), observedState([observedFrom('demo', alice, { server: 'down' })])));
    assert.equal(silent.action, 'start');
    assert.match(silent.reason, /OpenCode behind it does not answer/);
  });

  it('a sandbox msb stopped at its idle_timeout or max_duration is asleep: in sync, unless --wake; a manual stop is not', () => {
    const timed = { ...alice, idleTimeoutSecs: 1800, maxDurationSecs: 28800 };
    for (const cause of ['idle_timeout', 'max_duration'] as const) {
      const live = observedState([observedFrom('demo', timed, { status: 'Stopped', stoppedBy: cause })]);
      const asleep = plan(desiredState([timed]), live);
      assert.deepEqual([only(asleep).action, only(asleep).asleep], ['noop', cause]);
      assert.match(only(asleep).reason, new RegExp(`asleep \\(msb stopped it at its ${cause}\\).*apply --wake`));
      const woken = only(plan(desiredState([timed]), live, { wake: true }));
      assert.deepEqual([woken.action, woken.start, woken.asleep], ['start', true, undefined]);
      assert.match(woken.reason, /asleep/);
    }
    const manual = only(plan(desiredState([timed]), observedState([observedFrom('demo', timed, { status: 'Stopped' })])));
    assert.equal(manual.action, 'start');
    // A change in the file still applies to an asleep sandbox (and starts it, like any stopped one).
    const changed = only(plan(desiredState([{ ...timed, memoryMib: 1024 }]), observedState([observedFrom('demo', timed, { status: 'Stopped', stoppedBy: 'idle_timeout' })])));
    assert.deepEqual([changed.action, changed.start], ['update', true]);
  });

  it('reports a declared name held by another owner as a conflict and plans nothing for it', () => {
    const foreign = observedFrom('other', alice);
    const unlabelled = observedFrom('demo', desiredSandbox('bob'), { labels: {} });
    const result = plan(desiredState([alice, desiredSandbox('bob')]), observedState([foreign, unlabelled]));
    assert.deepEqual(result.changes, []);
    assert.deepEqual(result.conflicts.map((c) => [c.sandbox, c.owner]), [['alice', 'other'], ['bob', null]]);
  });

  it('never touches sandboxes of other projects that are not declared', () => {
    const result = plan(desiredState([]), observedState([observedFrom('other', desiredSandbox('zed'))]));
    assert.deepEqual(result.changes, []);
    assert.deepEqual(result.conflicts, []);
  });

  it('tells a change made outside owctl from a change in the file', () => {
    const drifted = observedFrom('demo', alice, { memoryMib: 1024, env: { ...observedFrom('demo', alice).env, OPENWORK_APPROVAL_MODE: 'manual' } });
    const change = only(plan(desiredState([alice]), observedState([drifted])));
    assert.deepEqual(change.fields.map((f) => [f.path, f.origin]), [['resources.memory', 'outside'], ['env.OPENWORK_APPROVAL_MODE', 'outside']]);
  });

  it('replaces on a rotated token (msb modify would put it on argv), shown as sensitive, never its value', () => {
    const rotated = { ...alice, tokens: { ...alice.tokens, client: 'another-client-token-0123456789' } };
    const result = plan(desiredState([rotated]), observedState([observedFrom('demo', alice)]));
    assert.equal(only(result).action, 'replace');
    assert.match(only(result).reason, /tokens/);
    const field = only(result).fields[0]!;
    assert.deepEqual([field.path, field.before, field.after, field.sensitive], ['env.OPENWORK_TOKEN', SENSITIVE, SENSITIVE, true]);
    const text = JSON.stringify(result);
    for (const secret of [CLIENT_TOKEN, HOST_TOKEN, 'another-client-token-0123456789']) assert.ok(!text.includes(secret));
  });

  it('removes env keys it applied before and ignores keys that come from the image', () => {
    const before = { ...alice, env: { OPENWORK_APPROVAL_MODE: 'auto', EXTRA: '1' } };
    const change = only(plan(desiredState([alice]), observedState([observedFrom('demo', before)])));
    assert.deepEqual(change.fields.map((f) => [f.path, f.before, f.after]), [['env.EXTRA', '1', null]]);
  });

  it('replaces when the command changes, though msb does not store it', () => {
    const change = only(plan(desiredState([{ ...alice, command: ['/bin/server', '--port', '8787'] }]), observedState([observedFrom('demo', alice)])));
    assert.equal(change.action, 'replace');
    assert.deepEqual(change.fields.map((f) => [f.path, f.before, f.after]), [['command', '(image default)', '/bin/server --port 8787']]);
  });

  it('is deterministic: same input, same plan', () => {
    const input = [desiredState([desiredSandbox('b'), desiredSandbox('a')]), observedState([observedFrom('demo', desiredSandbox('c'))])] as const;
    assert.equal(JSON.stringify(plan(...input)), JSON.stringify(plan(...input)));
    assert.deepEqual(plan(...input).changes.map((c) => c.sandbox), ['a', 'b', 'c']);
  });
});
