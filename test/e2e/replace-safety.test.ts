/** A replacement that cannot succeed never costs the old sandbox: what can fail is checked before it is removed. */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Project, freePort, get, tokens, type SandboxSpec, type Tokens } from './harness.ts';

describe('replacement checks before it removes', () => {
  let project: Project;
  let alice: SandboxSpec & { tokens: Tokens };
  let holder: Server;

  before(async () => {
    project = await Project.create('replace-safety');
    alice = { name: 'alice', port: await freePort(), tokens: tokens('alice') };
  });
  after(async () => {
    holder?.close();
    await project.cleanup();
  });

  it('keeps the old sandbox running when the new host port is taken', async () => {
    await project.writeFile([alice]);
    // Only a live old sandbox matters here (its verification may time out on a loaded machine; that is not the point).
    const first = await project.owctl(['apply', '--auto-approve']);
    assert.equal((await project.inspect('alice'))?.status, 'Running', first.stdout + first.stderr);
    const taken = await freePort();
    holder = createServer();
    await new Promise<void>((resolve) => holder.listen(taken, '127.0.0.1', resolve));
    await project.writeFile([{ ...alice, port: taken }]);
    const plan = await project.owctl(['plan']);
    assert.match(plan.stdout, /must be replaced/);
    const result = await project.owctl(['apply', '--auto-approve']);
    assert.equal(result.code, 1);
    // Refused before anything changes (the apply's preflight, or the executor's check-ports step right before the
    // removal, whichever sees it first).
    assert.match(result.stdout + result.stderr, new RegExp(`host port 127\\.0\\.0\\.1:${taken}(/tcp)? is already in use`));
    assert.equal((await project.inspect('alice'))?.status, 'Running', 'the old sandbox is still there');
    assert.equal(await get(`http://127.0.0.1:${alice.port}/health`), 200, 'and still serves');
    const calls = await project.msbCalls();
    assert.ok(!calls.some((argv) => argv[0] === 'rm'), 'never removed');
  });
});
