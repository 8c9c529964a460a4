/**
 * npm test's precompiled test files (scripts/build-tests.mjs): a module keeps its own import.meta, a failure is
 * reported by its .ts file and line, and the files start in the order given.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
// @ts-expect-error: a plain .mjs script without types
import { buildTests } from '../../scripts/build-tests.mjs';

const ROOT = join(import.meta.dirname, '..', '..');

test('a compiled test keeps its source import.meta, and its failure names the .ts file and line', async (t) => {
  // Named like npm test's own folders (<pid>-…): a run's sweep of stale folders leaves it alone while this one lives.
  const outdir = join(ROOT, '.test-build', `${process.pid}-structure-${randomBytes(4).toString('hex')}`);
  t.after(() => rmSync(outdir, { recursive: true, force: true }));
  const [compiled] = (await buildTests(ROOT, ['test/fixtures/test-build/fails.ts'], outdir)) as [string];
  assert.match(compiled, /\.test-build\/.+\/000\/test\/fixtures\/test-build\/fails\.mjs$/);
  const { NODE_TEST_CONTEXT: _, ...env } = process.env;
  const result = spawnSync(process.execPath, ['--test', '--test-reporter=./scripts/test-reporter.mjs', compiled], { cwd: ROOT, encoding: 'utf8', env, timeout: 60_000 });
  assert.equal(result.status, 1, result.stdout + result.stderr);
  assert.match(result.stdout, /✗ 1\) fails on line 15\n {2}test\/fixtures\/test-build\/fails\.ts\n/);
  assert.match(result.stdout, /at TestContext\.<anonymous> \(test\/fixtures\/test-build\/fails\.ts:15:10\)/);
  assert.match(result.stdout, /FAILED: 1 passed, 1 failed, 0 skipped/);
  assert.doesNotMatch(result.stdout, /\.test-build/);
});

test('the compiled files sort in the order they were given (node --test sorts the files it runs)', async (t) => {
  const outdir = join(ROOT, '.test-build', `${process.pid}-structure-${randomBytes(4).toString('hex')}`);
  t.after(() => rmSync(outdir, { recursive: true, force: true }));
  const given = ['test/fixtures/test-build/fails.ts', 'test/fixtures/test-runner/leaves-a-process.ts'].reverse();
  const compiled = (await buildTests(ROOT, given, outdir)) as string[];
  assert.deepEqual([...compiled].sort(), compiled);
  assert.equal(compiled.length, 2);
});
