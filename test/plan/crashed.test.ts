/** msb 0.7 ends a failed boot Crashed or Stopped at random: the planner must treat the two the same. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { plan } from '../../src/plan/planner.ts';
import { desiredSandbox, desiredState, observedFrom, observedState } from '../helpers/states.ts';

const alice = desiredSandbox('alice');
const strip = (change: ReturnType<typeof plan>['changes'][number]) => ({ ...change, status: undefined, reason: change.reason.replace(/Crashed|Stopped/, 'DOWN') });

describe('planner: Crashed is planned like Stopped', () => {
  for (const [what, desired] of [
    ['up to date', alice],
    ['an in-place change', { ...alice, memoryMib: 4096 }],
    ['a replacing change', { ...alice, image: { ref: 'openwork-microsandbox:v2' } }],
  ] as const) {
    it(`with ${what}`, () => {
      const [crashed, stopped] = (['Crashed', 'Stopped'] as const).map((status) => plan(desiredState([desired]), observedState([observedFrom('demo', alice, { status })])).changes[0]!);
      assert.deepEqual(strip(crashed!), strip(stopped!));
      assert.equal(crashed!.start, true);
    });
  }

  it('a Crashed sandbox that left the file is deleted like a Stopped one', () => {
    const result = plan(desiredState([]), observedState([observedFrom('demo', alice, { status: 'Crashed' })]));
    assert.deepEqual(result.changes.map((c) => [c.action, c.reason]), [['delete', 'will be destroyed (it is no longer in the file)']]);
  });
});
