/** `--replace NAME`: a forced replacement of a sandbox that is otherwise up to date (Terraform's -replace). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { plan } from '../../src/plan/planner.ts';
import { desiredSandbox, desiredState, observedFrom, observedState } from '../helpers/states.ts';

const alice = desiredSandbox('alice');
const bob = desiredSandbox('bob', { ports: [{ host: 8788, guest: 8787, bind: '127.0.0.1', protocol: 'tcp' }] });

describe('planner: replace on request', () => {
  it('replaces an up-to-date sandbox named in replace, and leaves the others alone', () => {
    const result = plan(desiredState([alice, bob]), observedState([observedFrom('demo', alice), observedFrom('demo', bob)]), { replace: ['alice'] });
    assert.deepEqual(result.changes.map((c) => [c.sandbox, c.action]), [['alice', 'replace'], ['bob', 'noop']]);
    const change = result.changes[0]!;
    assert.match(change.reason, /will be replaced, as requested/);
    assert.deepEqual([change.start, change.blocked], [true, false]);
    assert.equal(result.summary.replace, 1);
  });

  it('turns a start or an in-place update into a replacement, keeping the field differences', () => {
    const stopped = plan(desiredState([alice]), observedState([observedFrom('demo', alice, { status: 'Stopped' })]), { replace: ['alice'] });
    assert.equal(stopped.changes[0]!.action, 'replace');
    const update = plan(desiredState([{ ...alice, memoryMib: 4096 }]), observedState([observedFrom('demo', alice)]), { replace: ['alice'] });
    assert.equal(update.changes[0]!.action, 'replace');
    assert.deepEqual(update.changes[0]!.fields.map((f) => f.path), ['resources.memory']);
    assert.match(update.changes[0]!.reason, /as requested/);
  });

  it('a protected sandbox is blocked, a missing one is simply created', () => {
    const guarded = desiredSandbox('alice', { protect: true });
    const blocked = plan(desiredState([guarded]), observedState([observedFrom('demo', guarded)]), { replace: ['alice'] });
    assert.deepEqual([blocked.changes[0]!.action, blocked.changes[0]!.blocked], ['replace', true]);
    const created = plan(desiredState([alice]), observedState([]), { replace: ['alice'] });
    assert.equal(created.changes[0]!.action, 'create');
  });

  it('without replace the same state plans nothing', () => {
    assert.equal(plan(desiredState([alice]), observedState([observedFrom('demo', alice)])).changes[0]!.action, 'noop');
  });
});
