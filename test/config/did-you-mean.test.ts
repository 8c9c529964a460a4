import assert from 'node:assert/strict';
import { test } from 'node:test';
import { closest, editDistance } from '../../src/config/did-you-mean.ts';

test('edit distance counts a transposition as one edit', () => {
  assert.equal(editDistance('memroy', 'memory'), 1);
  assert.equal(editDistance('', 'abc'), 3);
  assert.equal(editDistance('kitten', 'sitting'), 3);
});

test('closest suggests near misses only', () => {
  const keys = ['image', 'pull', 'resources', 'idle_timeout', 'max_duration'];
  assert.equal(closest('imag', keys), 'image');
  assert.equal(closest('idle-timeout', keys), 'idle_timeout');
  assert.equal(closest('IMAGE', keys), 'image');
  assert.equal(closest('resorces', keys), 'resources');
  assert.equal(closest('frobnicate', keys), undefined);
  assert.equal(closest('x'.repeat(1000), keys), undefined);
});
