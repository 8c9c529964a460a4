/** Changes made outside owctl show in the plan and apply repairs them. */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Project, SIMULATOR_ONLY, eventually, freePort, get, json, tokens, type SandboxSpec, type Tokens } from './harness.ts';

describe('repair of changes made outside owctl', () => {
  let project: Project;
  let alice: SandboxSpec & { tokens: Tokens };

  before(async () => {
    project = await Project.create('repair');
    alice = { name: 'alice', port: await freePort(), tokens: tokens('alice') };
    await project.writeFile([alice]);
    const result = await project.owctl(['apply', '--auto-approve']);
    assert.equal(result.code, 0, result.stdout + result.stderr);
  });
  after(() => project.cleanup());

  it('a sandbox stopped outside owctl is planned as start and apply brings its server back', async () => {
    assert.equal((await project.msbRaw(['stop', 'alice'])).code, 0);
    const plan = json(await project.owctl(['plan', '--json']));
    assert.deepEqual(plan.changes.map((c: any) => [c.action, c.status]), [['start', 'Stopped']]);
    const result = await project.owctl(['apply', '--auto-approve']);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.equal((await project.inspect('alice'))?.status, 'Running');
    assert.equal(await get(`http://127.0.0.1:${alice.port}/health`), 200);
  });

  it('a server killed outside owctl is planned as start and apply relaunches it', { skip: SIMULATOR_ONLY }, async () => {
    const state = JSON.parse(await readFile(join(project.msbHome, 'sim-state.json'), 'utf8'));
    const pids: number[] = state.sandboxes.alice?.processes ?? [];
    assert.ok(pids.length > 0, 'the simulator records the workload pid');
    for (const pid of pids) process.kill(-pid, 'SIGKILL');
    await eventually(async () => (await get(`http://127.0.0.1:${alice.port}/health`)) === 0, 10_000, 'the server to die');
    const plan = await project.owctl(['plan', '--detailed-exitcode']);
    assert.equal(plan.code, 2);
    assert.match(plan.stdout, /OpenWork server or the OpenCode behind it does not answer/);
    const result = await project.owctl(['apply', '--auto-approve']);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.equal(await get(`http://127.0.0.1:${alice.port}/health`), 200);
    assert.equal((await project.owctl(['plan', '--detailed-exitcode'])).code, 0);
  });

  it('memory changed outside owctl is shown as drift, apart from file changes, and put back', async () => {
    assert.equal((await project.msbRaw(['stop', 'alice'])).code, 0);
    assert.equal((await project.msbRaw(['modify', 'alice', '--memory', '768M'])).code, 0);
    const plan = await project.owctl(['plan']);
    assert.match(plan.stdout, /changed outside of owctl[\s\S]*resources\.memory\s+= "512M" -> "768M"/);
    const result = await project.owctl(['apply', '--auto-approve']);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.equal((await project.inspect('alice'))?.config.resources.memory_mib, 512);
    await project.assertNoSecrets(plan.stdout, result.stdout, result.stderr);
  });
});
