/** One apply at a time per project; an interrupted apply stops cleanly (130) and the next one converges. */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { lockPath } from '../../src/apply/lock.ts';
import { built } from '../helpers/built-cli.ts';
import { Project, eventually, freePort, get, tokens } from './harness.ts';

describe('locking and interrupts', () => {
  let project: Project;
  let specs: Array<{ name: string; port: number; tokens: ReturnType<typeof tokens> }>;
  before(async () => {
    project = await Project.create('concurrency');
    specs = await Promise.all(['a1', 'a2', 'a3'].map(async (name) => ({ name, port: await freePort(), tokens: tokens(name) })));
    await project.writeFile(specs);
  });
  after(() => project.cleanup());

  it('a second concurrent apply fails at once and names the holder', async () => {
    const slow = project.spawnOwctl(['apply', '--auto-approve', '--target', 'a1'], { MSB_SIM_BOOT_DELAY_MS: '4000' }, built());
    const lock = lockPath('concurrency', project.msbHome);
    await eventually(async () => existsSync(lock), 20_000, 'the first apply to take the lock');
    const second = await project.owctl(['apply', '--auto-approve']);
    assert.equal(second.code, 1);
    assert.match(second.stderr, new RegExp(`locked by pid ${slow.child.pid}.*owctl apply`));
    assert.match(second.stderr, /--lock-timeout/);
    const first = await slow.done;
    assert.equal(first.code, 0, first.stdout + first.stderr);
    assert.equal(existsSync(lock), false, 'the lock is released');
  });

  it('SIGINT mid-apply starts nothing new, exits 130, releases the lock, and the re-run converges', async () => {
    const run = project.spawnOwctl(['apply', '--auto-approve', '--parallelism', '1'], { MSB_SIM_BOOT_DELAY_MS: '1500' }, built());
    await eventually(async () => /a2: create started/.test(run.output()), 60_000, 'the first create to start');
    run.child.kill('SIGINT');
    const result = await run.done;
    assert.equal(result.code, 130, result.stdout + result.stderr);
    assert.match(result.stdout, /skipped/);
    assert.match(result.stdout, /Apply interrupted/);
    assert.equal(existsSync(lockPath('concurrency', project.msbHome)), false);
    const rerun = await project.owctl(['apply', '--auto-approve']);
    assert.equal(rerun.code, 0, rerun.stdout + rerun.stderr);
    for (const spec of specs) assert.equal(await get(`http://127.0.0.1:${spec.port}/health`), 200);
    await project.assertNoSecrets(result.stdout, result.stderr, rerun.stdout, rerun.stderr);
  });
});
