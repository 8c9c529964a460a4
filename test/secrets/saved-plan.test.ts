/**
 * A saved plan (plan -o) travels as a CI artifact next to the committed YAML: nothing in it may let anyone test a
 * guess of a secret. Its fingerprints do not depend on secret values at all; a secret that changed since the plan
 * is still caught, because the plan it gives is then another one.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkStale } from '../../src/commands/apply.ts';
import type { Snapshot } from '../../src/commands/snapshot.ts';
import type { DesiredSandbox } from '../../src/model/desired.ts';
import { fingerprints } from '../../src/plan/fingerprint.ts';
import { plan } from '../../src/plan/planner.ts';
import { savedPlan } from '../../src/plan/saved-plan.ts';
import { desiredSandbox, desiredState, observedFrom, observedState } from '../helpers/states.ts';

const weak = (n: number) => `weak-token-${String(n).padStart(6, '0')}`;

function withSecrets(client: string, apiKey: string): DesiredSandbox {
  return desiredSandbox('alice', {
    tokens: { client, host: 'host-token-0123456789abcdef', clientEnv: 'OPENWORK_TOKEN', hostEnv: 'OPENWORK_HOST_TOKEN' },
    env: { OPENWORK_APPROVAL_MODE: 'auto', MODEL_API_KEY: apiKey },
    sensitiveEnv: ['MODEL_API_KEY'],
  });
}

function snapshotOf(sandbox: DesiredSandbox, live: DesiredSandbox): Snapshot {
  return { desired: desiredState([sandbox]), secrets: [], observed: observedState([observedFrom('demo', live)]), backend: undefined as never };
}

describe('saved plans and secrets', () => {
  it('fingerprints do not depend on any secret value: a guess cannot be tested against them', () => {
    const actual = withSecrets(weak(42), 'sk-key-000042');
    const saved = fingerprints(desiredState([actual]), observedState([observedFrom('demo', actual)]));
    // The attack: everything but the secrets is known (the YAML is committed); try candidates until a digest matches.
    const matches: number[] = [];
    for (let guess = 0; guess < 100; guess++) {
      const candidate = withSecrets(weak(guess), `sk-key-${String(guess).padStart(6, '0')}`);
      const tried = fingerprints(desiredState([candidate]), observedState([observedFrom('demo', candidate)]));
      if (tried.desired === saved.desired && tried.observed.alice === saved.observed.alice) matches.push(guess);
    }
    assert.equal(matches.length, 100, 'every guess looks the same: the fingerprints carry nothing about the secrets');
    assert.ok(!JSON.stringify(savedPlan('/srv/demo/openwork.yaml', plan(desiredState([actual]), observedState([])), saved, [])).includes(weak(42)));
  });

  it('a token changed after the plan was saved still makes the saved plan stale', () => {
    const before = withSecrets(weak(1), 'sk-key-000001');
    const then = snapshotOf(before, before);
    const saved = savedPlan('/srv/demo/openwork.yaml', plan(then.desired, then.observed), fingerprints(then.desired, then.observed), []);
    assert.doesNotThrow(() => checkStale(saved, then, 'plan.json', plan(then.desired, then.observed)));
    const rotated = snapshotOf(withSecrets(weak(2), 'sk-key-000001'), before);
    assert.throws(() => checkStale(saved, rotated, 'plan.json', plan(rotated.desired, rotated.observed)), (error: { code?: string; message: string }) => error.code === 'plan.stale' && !error.message.includes(weak(2)));
  });
});
