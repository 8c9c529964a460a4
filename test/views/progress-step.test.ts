/** The progress tree's line for a sandbox: the step in flight, its elapsed time, and what finished last inside it. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stepLine } from '../../src/views/progress.ts';

describe('progress step line', () => {
  it('names the step in flight with whole seconds since it started', () => {
    assert.equal(stepLine({ step: 'create', since: 1_000 }, 1_000), 'create · 0 s');
    assert.equal(stepLine({ step: 'create', since: 1_000 }, 13_999), 'create · 12 s');
  });

  it('a long verification shows itself running, the last check that finished in brackets', () => {
    assert.equal(stepLine({ step: 'verify', since: 0, last: 'verify:health ok (271 ms)' }, 18_400), 'verify · 18 s (verify:health ok (271 ms))');
  });
});
