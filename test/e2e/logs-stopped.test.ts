/**
 * `owctl logs` never changes state. The server's log lives in the guest, read through `msb exec`, and msb exec on a
 * sandbox that is not running boots it (msb 0.6.18: "On a sandbox that is not running, `msb exec` boots it attached
 * and stops it again afterwards"), which then races an apply. So for a stopped or missing sandbox logs says so and
 * how to start it, and runs no exec.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { IMAGE, Project, tokens } from './harness.ts';

describe('owctl logs on a sandbox that is not running', () => {
  let project: Project;
  before(async () => {
    project = await Project.create('logs-stopped');
    await project.writeFile([{ name: 'sb1', port: 1, tokens: tokens('sb1') }]);
  });
  after(() => project.cleanup());

  it('says a stopped sandbox is stopped and how to start it, and never runs msb exec (which would boot it)', async () => {
    const created = await project.msbRaw(['create', '--quiet', '--name', 'sb1', '--pull', 'never', '--label', `owctl.dev/project=${project.name}`, IMAGE]);
    assert.equal(created.code, 0, created.stderr);
    await project.msbRaw(['stop', 'sb1']);
    assert.equal((await project.inspect('sb1'))?.status, 'Stopped');
    const before = (await project.msbCalls()).length;
    const result = await project.owctl(['logs', 'sb1']);
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.match(result.stderr, /sb1 is Stopped: its OpenWork server is not running, so there is no server log to read/);
    assert.match(result.stderr, /owctl apply/);
    const calls = (await project.msbCalls()).slice(before);
    assert.deepEqual(calls.filter((argv) => argv[0] === 'exec' || argv[0] === 'start' || argv[0] === 'run'), [], 'no msb call that boots it');
    assert.equal((await project.inspect('sb1'))?.status, 'Stopped', 'still stopped');
  });

  it('says a sandbox that does not exist yet does not exist, without msb exec', async () => {
    await project.msbRaw(['rm', '--force', 'sb1']);
    const before = (await project.msbCalls()).length;
    const result = await project.owctl(['logs', 'sb1']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /sb1 does not exist/);
    assert.deepEqual((await project.msbCalls()).slice(before).filter((argv) => argv[0] === 'exec'), []);
  });
});
