import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { keepaliveVerdict } from '../../src/plan/keepalive.ts';

const NOW = 1_800_000_000_000;
const running = { status: 'Running', idleTimeoutSecs: 600 };

describe('keepalive verdict', () => {
  it('touches a running sandbox a client used within its idle_timeout; leaves the others to msb', () => {
    assert.deepEqual(keepaliveVerdict({ ...running, lastUsedMs: NOW - 30_000 }, NOW), { action: 'touch', idleForSecs: 30 });
    assert.deepEqual(keepaliveVerdict({ ...running, lastUsedMs: NOW - 600_000 }, NOW), { action: 'let-drain', idleForSecs: 600 });
    assert.deepEqual(keepaliveVerdict({ ...running, lastUsedMs: null }, NOW), { action: 'let-drain', idleForSecs: null });
  });

  it('never keeps awake what it cannot read (a server that does not answer has no client either)', () => {
    assert.deepEqual(keepaliveVerdict({ ...running, lastUsedMs: undefined, unknownReason: 'GET /workspaces: connection refused' }, NOW), {
      action: 'let-drain',
      idleForSecs: null,
      reason: 'GET /workspaces: connection refused',
    });
  });

  it('skips stopped sandboxes and sandboxes without an idle_timeout', () => {
    assert.equal(keepaliveVerdict({ status: 'Stopped', idleTimeoutSecs: 600, lastUsedMs: NOW }, NOW).action, 'skip');
    assert.equal(keepaliveVerdict({ status: 'Running', idleTimeoutSecs: null, lastUsedMs: NOW }, NOW).action, 'skip');
  });
});
