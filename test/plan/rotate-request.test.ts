import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkRotate } from '../../src/commands/rotate.ts';
import { desiredSandbox, desiredState, observedFrom, observedState } from '../helpers/states.ts';

const alice = desiredSandbox('alice', { access: [{ person: 'bob', scope: 'viewer' }] });
const listed = observedState([observedFrom('demo', alice, { access: { tokens: [], bootedAt: null } })]);
const unread = observedState([observedFrom('demo', alice)]);

describe('--rotate requests', () => {
  it('accepts NAME and NAME/PERSON of declared access when the server listed its tokens', () => {
    checkRotate(['alice', 'alice/bob'], desiredState([alice]), listed);
  });

  it('refuses an unknown sandbox or person, and a sandbox whose token list could not be read, naming the fix', () => {
    assert.throws(() => checkRotate(['nobody'], desiredState([alice]), listed), /--rotate nobody: no such sandbox/);
    assert.throws(() => checkRotate(['alice/carol'], desiredState([alice]), listed), /no person carol on alice \(its access names bob\)/);
    assert.throws(() => checkRotate(['alice/bob'], desiredState([alice]), unread), (e: Error & { hint?: string }) => /did not list its tokens/.test(e.message) && /owctl verify alice/.test(e.hint ?? ''));
  });
});
