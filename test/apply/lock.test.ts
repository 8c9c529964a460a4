import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { acquireLock, lockPath } from '../../src/apply/lock.ts';
import { OwctlError } from '../../src/errors.ts';

const dir = await mkdtemp(join(tmpdir(), 'owctl-lock-test-'));
after(() => rm(dir, { recursive: true, force: true }));
const base = { project: 'demo', msbHome: '/tmp/msb-home-x', command: 'apply', dir };

describe('apply lock', () => {
  it('lets one holder in and tells the second who holds it', async () => {
    const first = await acquireLock({ ...base, timeoutMs: 0 });
    await assert.rejects(acquireLock({ ...base, timeoutMs: 0 }), (error: OwctlError) => {
      assert.equal(error.code, 'lock.held');
      assert.match(error.message, new RegExp(`pid ${process.pid}`));
      assert.match(error.hint ?? '', /--lock-timeout/);
      return true;
    });
    await first.release();
    const again = await acquireLock({ ...base, timeoutMs: 0 });
    await again.release();
  });

  it('waits up to the lock timeout for the holder to finish', async () => {
    const first = await acquireLock({ ...base, timeoutMs: 0 });
    setTimeout(() => void first.release(), 100);
    const second = await acquireLock({ ...base, timeoutMs: 5000 });
    await second.release();
  });

  it('takes over a lock left by a dead process', async () => {
    const child = spawn(process.execPath, ['-e', '0']);
    const pid = child.pid!;
    await new Promise((resolve) => child.on('exit', resolve));
    const holder = { pid, host: hostname(), command: 'apply', project: 'demo', msb_home: base.msbHome, started_at: new Date().toISOString() };
    await writeFile(lockPath(base.project, base.msbHome, dir), JSON.stringify(holder));
    const lock = await acquireLock({ ...base, timeoutMs: 0 });
    await lock.release();
  });

  it('keys the lock by project and MSB_HOME', () => {
    assert.notEqual(lockPath('a', '/h1', dir), lockPath('a', '/h2', dir));
    assert.notEqual(lockPath('a', '/h1', dir), lockPath('b', '/h1', dir));
  });
});
