import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { buildSync } from 'esbuild';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, it } from 'node:test';
import { acquireLock, lockPath, type Lock } from '../../src/apply/lock.ts';
import { OwctlError } from '../../src/errors.ts';

const dir = await mkdtemp(join(tmpdir(), 'owctl-lock-test-'));
after(() => rm(dir, { recursive: true, force: true }));
const home = join(dir, 'msb-home');
const base = { project: 'demo', msbHome: home, command: 'apply' };

/** The pid of a process that has exited (`true`: any program that exits will do, and this one costs no Node start). */
async function deadPid(): Promise<number> {
  const child = spawn('true');
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid!;
}

const staleHolder = async () => ({ pid: await deadPid(), host: hostname(), command: 'apply', project: 'demo', msb_home: home, started_at: new Date().toISOString() });

describe('apply lock', () => {
  it('lets one holder in and tells the second who holds it and where the lock is', async () => {
    const first = await acquireLock({ ...base, timeoutMs: 0 });
    await assert.rejects(acquireLock({ ...base, timeoutMs: 0 }), (error: OwctlError) => {
      assert.equal(error.code, 'lock.held');
      assert.match(error.message, new RegExp(`pid ${process.pid}`));
      assert.ok(error.message.includes(first.path), error.message);
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
    await mkdir(join(lockPath(base.project, home), '..'), { recursive: true });
    await writeFile(lockPath(base.project, home), JSON.stringify(await staleHolder()));
    const lock = await acquireLock({ ...base, timeoutMs: 0 });
    await lock.release();
  });

  it('is one lock for every spelling of the same MSB_HOME, whatever TMPDIR is', async () => {
    await mkdir(home, { recursive: true });
    await symlink(home, join(dir, 'link-to-home'));
    const spellings = [home, `${home}/`, `${home}//`, join(dir, 'link-to-home'), `${join(dir, '.', 'msb-home', '..', 'msb-home')}`];
    const paths = new Set(spellings.map((spelling) => lockPath('demo', spelling)));
    assert.equal(paths.size, 1, [...paths].join('\n'));
    assert.ok([...paths][0]!.startsWith(home), 'kept inside the msb state it guards');
    const held = await acquireLock({ ...base, timeoutMs: 0 });
    const previous = process.env.TMPDIR;
    process.env.TMPDIR = join(dir, 'other-tmp');
    try {
      for (const spelling of spellings) await assert.rejects(acquireLock({ ...base, msbHome: spelling, timeoutMs: 0 }), /locked by/);
    } finally {
      if (previous === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = previous;
      await held.release();
    }
    assert.notEqual(lockPath('a', home), lockPath('b', home));
    assert.notEqual(lockPath('a', home), lockPath('a', join(dir, 'elsewhere')));
  });

  it('lets exactly one of many contenders take over a stale lock, round after round', async () => {
    for (let round = 0; round < 30; round++) {
      await mkdir(join(lockPath('race', home), '..'), { recursive: true });
      await writeFile(lockPath('race', home), JSON.stringify({ ...(await staleHolder()), project: 'race' }));
      const attempts = await Promise.allSettled(Array.from({ length: 12 }, () => acquireLock({ ...base, project: 'race', timeoutMs: 0 })));
      const won = attempts.filter((a): a is PromiseFulfilledResult<Lock> => a.status === 'fulfilled');
      assert.equal(won.length, 1, `round ${round}: ${won.length} contenders won`);
      for (const lost of attempts) if (lost.status === 'rejected') assert.equal((lost.reason as OwctlError).code, 'lock.held');
      await won[0]!.value.release();
    }
  });

  it('lets exactly one of several processes take over a stale lock', async () => {
    await mkdir(join(lockPath('procs', home), '..'), { recursive: true });
    await writeFile(lockPath('procs', home), JSON.stringify({ ...(await staleHolder()), project: 'procs' }));
    // The contenders run src/apply/lock.ts compiled once to plain JavaScript (esbuild, as tsx would compile it), so
    // that each is a bare Node start instead of one that loads tsx and compiles the module again (~0.7 s of CPU).
    const compiled = join(dir, 'lock.mjs');
    buildSync({ entryPoints: [new URL('../../src/apply/lock.ts', import.meta.url).pathname], bundle: true, platform: 'node', format: 'esm', outfile: compiled, logLevel: 'error' });
    // The winner holds the lock until its stdin closes: until every contender has answered.
    const script = `
      import { acquireLock } from ${JSON.stringify(pathToFileURL(compiled).href)};
      try {
        await acquireLock({ project: 'procs', msbHome: ${JSON.stringify(home)}, command: 'apply', timeoutMs: 0 });
        process.stdout.write('won\\n');
        await new Promise((resolve) => process.stdin.on('end', resolve).resume());
      } catch (error) {
        process.stdout.write(error.code === 'lock.held' ? 'lost\\n' : 'error ' + error.message + '\\n');
      }`;
    const children = Array.from({ length: 6 }, () => {
      const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
      let out = '';
      const answered = new Promise<void>((resolve) => child.stdout.on('data', (d: Buffer) => ((out += d.toString()), resolve())));
      return { child, answered, output: () => out, exited: new Promise((resolve) => child.on('exit', resolve)) };
    });
    // Every contender has answered before the winner lets go (a contender that exits without a word fails below).
    await Promise.all(children.map((c) => Promise.race([c.answered, c.exited])));
    // (The others exit on their own once they have answered.)
    for (const c of children.filter((c) => c.output().startsWith('won'))) c.child.stdin.end();
    await Promise.all(children.map((c) => c.exited));
    const answers = children.map((c) => c.output().trim()).sort();
    assert.deepEqual(answers, ['lost', 'lost', 'lost', 'lost', 'lost', 'won']);
  });

  it('says where the lock is and how to clear it when it cannot tell whether the holder lives', async () => {
    const path = lockPath('unclear', home);
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, '');
    await assert.rejects(acquireLock({ ...base, project: 'unclear', timeoutMs: 0 }), (error: OwctlError) => {
      assert.equal(error.code, 'lock.held');
      assert.ok(error.message.includes(path), error.message);
      assert.match(error.message, /holds no owner/);
      assert.ok((error.hint ?? '').includes(`rm ${path}`), error.hint);
      return true;
    });
    await writeFile(path, JSON.stringify({ ...(await staleHolder()), host: 'build-box-7', pid: 4242 }));
    await assert.rejects(acquireLock({ ...base, project: 'unclear', timeoutMs: 0 }), (error: OwctlError) => {
      assert.match(error.message, /pid 4242 on build-box-7/);
      assert.ok(error.message.includes(path), error.message);
      assert.match(error.hint ?? '', /on build-box-7/);
      assert.ok((error.hint ?? '').includes(`rm ${path}`), error.hint);
      return true;
    });
    await rm(path);
  });

  it('takes over a lock whose pid now belongs to another process', async () => {
    const path = lockPath('reused', home);
    await mkdir(join(path, '..'), { recursive: true });
    // pid 1 is alive, but it is not the process that took this lock: it started long before.
    await writeFile(path, JSON.stringify({ ...(await staleHolder()), pid: 1, pid_start: 'not-this-process' }));
    const lock = await acquireLock({ ...base, project: 'reused', timeoutMs: 0 });
    await lock.release();
  });
});
