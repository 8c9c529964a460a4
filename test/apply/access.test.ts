import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { execute } from '../../src/apply/executor.ts';
import type { AccessRuntime, Runtime } from '../../src/apply/runtime.ts';
import type { ApplyEvent } from '../../src/apply/events.ts';
import { accessLabel } from '../../src/model/access.ts';
import { plan } from '../../src/plan/planner.ts';
import { desiredSandbox, desiredState, observedFrom, observedState } from '../helpers/states.ts';

/** A runtime whose sandbox calls succeed and whose token calls are recorded; `failCheck` makes a new token's check fail. */
function tokenRuntime(failCheck?: string) {
  const calls: string[] = [];
  const access: AccessRuntime = {
    issue: async (s, person, scope) => (calls.push(`issue ${person} ${scope}`), { id: `new_${person}`, retired: null }),
    check: async (s, person, scope) => {
      calls.push(`check ${person} ${scope}`);
      if (person === failCheck) throw new Error(`${person}'s token: the token acts as collaborator, not viewer`);
      return 'answers';
    },
    revoke: async (s, ids, _retired, _instance, forget) => (calls.push(`revoke ${ids.join(',')}${forget ? ` forget ${forget}` : ''}`), 'revoked'),
    record: async () => (calls.push('record'), 'recorded'),
  };
  const nothing = async () => undefined;
  const runtime: Runtime = {
    inspectImage: async () => null,
    loadImage: nothing,
    pullImage: nothing,
    archiveDigest: async () => null,
    prepareMounts: nothing,
    create: nothing,
    remove: nothing,
    start: nothing,
    stop: nothing,
    modify: async () => void calls.push('modify'),
    launchServer: nothing,
    stopServer: async () => 'stopped',
    verify: async () => (calls.push('verify'), { ok: true, steps: [] }),
    access,
  };
  return { runtime, calls };
}

const alice = desiredSandbox('alice', { access: [{ person: 'bob', scope: 'viewer' }] });
const live = (tokens: Array<[string, string, string]>) =>
  observedFrom('demo', { ...alice, access: undefined }, { access: { tokens: tokens.map(([person, scope, id]) => ({ id, scope, label: accessLabel('demo', 'alice', person), createdAt: 1 })), bootedAt: 0 } });

describe('executor: access', () => {
  it('a scope change verifies the sandbox, issues, checks the new token, then revokes the old — without touching the sandbox', async () => {
    const events: ApplyEvent[] = [];
    const desired = desiredState([alice]);
    const { runtime, calls } = tokenRuntime();
    const result = await execute(plan(desired, observedState([live([['bob', 'collaborator', 'tok_old']])])).changes, desired, runtime, { parallelism: 1, signal: new AbortController().signal, onEvent: (e) => void events.push(e) });
    assert.deepEqual(result.outcomes.map((o) => o.outcome), ['succeeded']);
    assert.deepEqual(calls, ['verify', 'issue bob viewer', 'check bob viewer', 'revoke tok_old', 'record']);
    assert.deepEqual(events.filter((e) => e.type === 'step_start').map((e) => (e as { step: string }).step), ['verify', 'access:bob:issue', 'access:bob:verify', 'access:bob:revoke', 'access:bob:record']);
  });

  it('a new token that fails its check leaves the old one unrevoked (never a moment without a working token)', async () => {
    const desired = desiredState([alice]);
    const { runtime, calls } = tokenRuntime('bob');
    const result = await execute(plan(desired, observedState([live([['bob', 'collaborator', 'tok_old']])]), { rotate: [] }).changes, desired, runtime, { parallelism: 1, signal: new AbortController().signal, onEvent: () => undefined });
    assert.equal(result.outcomes[0]?.outcome, 'failed');
    assert.equal(result.outcomes[0]?.error?.step, 'access:bob:verify');
    assert.ok(!calls.some((c) => c.startsWith('revoke')), calls.join('; '));
    // The server now holds the new token too: the record on the sandbox follows its list even so.
    assert.equal(calls.at(-1), 'record');
  });

  it('a removed person is revoked and their file forgotten', async () => {
    const desired = desiredState([{ ...alice, access: [] }]);
    const { runtime, calls } = tokenRuntime();
    await execute(plan(desired, observedState([live([['bob', 'viewer', 'tok_b']])])).changes, desired, runtime, { parallelism: 1, signal: new AbortController().signal, onEvent: () => undefined });
    assert.deepEqual(calls, ['verify', 'revoke tok_b forget bob', 'record']);
  });

  it('a record that disagrees with the server is rewritten, and nothing else happens (no modify, no token call)', async () => {
    const desired = desiredState([alice]);
    const { runtime, calls } = tokenRuntime();
    const changes = plan(desired, observedState([live([['bob', 'viewer', 'tok_b']])])).changes;
    assert.deepEqual(changes[0]?.access, [{ revoke: [], cause: 'record' }]);
    await execute(changes, desired, runtime, { parallelism: 1, signal: new AbortController().signal, onEvent: () => undefined });
    assert.deepEqual(calls, ['verify', 'record']);
  });
});
