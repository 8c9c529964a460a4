/**
 * npm test's runner (scripts/test.mjs): a process a test leaves running is named and stopped and fails the run;
 * a step that does not run says why.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';

const ROOT = join(import.meta.dirname, '..', '..');

function alive(marker: string): number[] {
  return readdirSync('/proc')
    .filter((pid) => /^\d+$/.test(pid))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes(marker);
      } catch {
        return false;
      }
    })
    .map(Number);
}

test('a process left running by a test is named, stopped, and fails npm test; the skipped steps say why', () => {
  const tag = randomBytes(6).toString('hex');
  const result = spawnSync(process.execPath, ['scripts/test.mjs', '--no-build'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, OWCTL_TEST_FILES: 'test/fixtures/test-runner/leaves-a-process.ts', OWCTL_LEFT_BEHIND_TAG: tag },
    timeout: 120_000,
  });
  assert.equal(result.status, 1, result.stdout + result.stderr);
  assert.match(result.stdout, /1 process\(es\) left running by the tests, now stopped:\n {2}pid \d+: .*owctl-left-behind-[0-9a-f]{12}/);
  assert.match(result.stdout, /- build: skipped: --no-build/);
  assert.match(result.stdout, /- tests against msb 0\.7\.2: skipped: none of the selected files runs against it/);
  assert.match(result.stdout, /npm test: FAILED \(left-over processes\)/);
  assert.match(result.stdout, new RegExp(`owctl-left-behind-${tag}`));
  assert.deepEqual(alive(`owctl-left-behind-${tag}`), []);
});
