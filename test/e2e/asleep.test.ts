/**
 * idle_timeout on the local backend: msb drains a sandbox whose only traffic is a remote client on its published
 * port (the simulator models msb's idle monitor: exec activity only). owctl then sees it as asleep — in sync, not
 * drift — and `apply --wake` brings it and its server back; a manual stop is still planned as a start.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Project, SIMULATOR_ONLY, eventually, freePort, get, json, tokens, type SandboxSpec, type Tokens } from './harness.ts';

describe('a sandbox drained by its idle_timeout is asleep, and --wake wakes it', { skip: SIMULATOR_ONLY }, () => {
  let project: Project;
  let alice: SandboxSpec & { tokens: Tokens };
  const health = () => get(`http://127.0.0.1:${alice.port}/health`);

  before(async () => {
    project = await Project.create('asleep');
    // Long enough for apply's own verification (an OpenCode session through the proxy) to finish first.
    alice = { name: 'alice', port: await freePort(), tokens: tokens('alice'), idleTimeout: '30s' };
    await project.writeFile([alice]);
    const created = await project.owctl(['apply', '--auto-approve']);
    assert.equal(created.code, 0, created.stdout + created.stderr);
  });
  after(() => project.cleanup());

  it('msb drains it while a client keeps using the published port (that traffic never counts)', async () => {
    const traffic = setInterval(() => void health(), 500);
    try {
      // The client's traffic has reached the server before and while the idle time passes.
      await eventually(async () => (await health()) === 200, 10_000, 'the server to answer the client');
      // The simulator's fake lifecycle clock lets the 30 s pass at once (the drain itself is real: the monitor stops
      // the sandbox). Before it, the sandbox is still up: apply's own run did not reach the timeout.
      assert.equal((await project.inspect('alice'))?.status, 'Running');
      assert.deepEqual(project.advanceIdleClock(30), ['alice']);
      await eventually(async () => (await project.inspect('alice'))?.status === 'Stopped', 20_000, 'the idle drain');
    } finally {
      clearInterval(traffic);
    }
    assert.equal(await health(), 0);
  });

  it('plan shows it asleep and in sync (--detailed-exitcode 0), in JSON too', async () => {
    const plan = await project.owctl(['plan', '--detailed-exitcode']);
    assert.equal(plan.code, 0, plan.stdout + plan.stderr);
    assert.match(plan.stdout, /No changes\./);
    assert.match(plan.stdout, /alice is asleep: msb stopped it at its idle_timeout/);
    assert.match(plan.stdout, /owctl apply --wake/);
    // No changes: the idle_timeout warning is for plans that create or change such a sandbox (validate says it too).
    assert.doesNotMatch(plan.stderr, /warning: idle_timeout/);
    const document = json(await project.owctl(['plan', '--json']));
    assert.deepEqual(document.changes.map((c: any) => [c.sandbox, c.action, c.asleep]), [['alice', 'noop', 'idle_timeout']]);
    assert.equal(document.has_changes, false);
  });

  it('apply --wake starts it, relaunches its server and verifies it', async () => {
    const woken = await project.owctl(['apply', '--auto-approve', '--wake']);
    assert.equal(woken.code, 0, woken.stdout + woken.stderr);
    assert.match(woken.stdout, /asleep \(stopped at its idle_timeout\); will be started and its server launched/);
    assert.equal((await project.inspect('alice'))?.status, 'Running');
    assert.equal(await health(), 200);
  });

  it('a manual msb stop is not a policy stop: plan wants to start it (exit 2)', async () => {
    assert.equal((await project.msbRaw(['stop', 'alice'])).code, 0);
    const plan = await project.owctl(['plan', '--detailed-exitcode']);
    assert.equal(plan.code, 2, plan.stdout + plan.stderr);
    assert.match(plan.stdout, /is Stopped; will be started/);
  });
});
