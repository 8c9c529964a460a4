/** A saved plan goes stale only when what it touches moved; the stale hint remakes the same (targeted) plan. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkStale } from '../../src/commands/apply.ts';
import type { Snapshot } from '../../src/commands/snapshot.ts';
import { OwctlError } from '../../src/errors.ts';
import { fingerprints } from '../../src/plan/fingerprint.ts';
import { plan } from '../../src/plan/planner.ts';
import { savedPlan } from '../../src/plan/saved-plan.ts';
import { targetPlan } from '../../src/plan/target.ts';
import { desiredSandbox, desiredState, observedFrom, observedState } from '../helpers/states.ts';

const alice = desiredSandbox('alice');
const bob = desiredSandbox('bob', { ports: [{ host: 8788, guest: 8787, bind: '127.0.0.1', protocol: 'tcp' }] });
const desired = desiredState([alice, bob]);
const before = observedState([observedFrom('demo', alice, { status: 'Stopped' }), observedFrom('demo', bob)]);
const snapshot = (d = desired, o = before) => ({ desired: d, observed: o, secrets: [], msb: undefined }) as unknown as Snapshot;

function saved(targets: string[]) {
  return savedPlan(desired.file, targetPlan(plan(desired, before), targets), fingerprints(desired, before, targets), targets);
}

/** What apply does with a saved plan: plans again (with the plan's targets) and checks. */
function check(file: ReturnType<typeof saved>, d = desired, o = before): void {
  checkStale(file, snapshot(d, o), 'plan.json', targetPlan(plan(d, o), file.targets));
}

function staleError(run: () => void): OwctlError {
  try {
    run();
  } catch (error) {
    if (error instanceof OwctlError) return error;
    throw error;
  }
  assert.fail('expected the plan to be stale');
}

describe('saved plan staleness', () => {
  const bobDrifted = observedState([observedFrom('demo', alice, { status: 'Stopped' }), observedFrom('demo', bob, { memoryMib: 512 })]);
  const bobEdited = desiredState([alice, { ...bob, cpus: 4 }]);

  it('a plan saved with --target ignores drift and edits of sandboxes it does not touch', () => {
    const targeted = saved(['alice']);
    assert.doesNotThrow(() => check(targeted, desired, bobDrifted));
    assert.doesNotThrow(() => check(targeted, bobEdited, before));
  });

  it('a plan saved with --target is stale when its own sandbox moved, and the hint keeps --target', () => {
    const targeted = saved(['alice']);
    const aliceStarted = observedState([observedFrom('demo', alice), observedFrom('demo', bob)]);
    const error = staleError(() => check(targeted, desired, aliceStarted));
    assert.equal(error.code, 'plan.stale');
    assert.match(error.message, /live sandboxes changed: alice/);
    assert.match(error.hint ?? '', /owctl plan --target alice -o plan\.json/);
  });

  it('an untargeted plan is stale on any move', () => {
    const error = staleError(() => check(saved([]), desired, bobDrifted));
    assert.match(error.message, /bob/);
    assert.match(error.hint ?? '', /`owctl plan -o plan\.json`/);
  });
});
