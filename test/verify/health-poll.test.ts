import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { POLL_MAX_MS, healthRetryDelay } from '../../src/verify/steps.ts';

describe('the /health poll', () => {
  it('never waits more than 100 ms between attempts, so a server that turns healthy is seen at once', () => {
    const delays = Array.from({ length: 2_000 }, (_, attempt) => healthRetryDelay(attempt));
    assert.ok(POLL_MAX_MS <= 100);
    assert.ok(delays.every((ms) => ms > 0 && ms <= POLL_MAX_MS), `largest wait ${Math.max(...delays)} ms`);
  });

  it('starts quicker than its cap and does not spin: at most ~11 attempts a second once capped', () => {
    assert.ok(healthRetryDelay(0) < POLL_MAX_MS);
    const firstSecond = [];
    for (let attempt = 0, total = 0; total < 1_000; attempt++) firstSecond.push((total += healthRetryDelay(attempt)));
    assert.ok(firstSecond.length <= 13, `${firstSecond.length} attempts in the first second`);
  });
});
