/**
 * `owctl keepalive`: msb's idle timer counts exec activity only, so a sandbox whose only use is a remote client on
 * its published port is drained while in use (see asleep.test.ts). With keepalive running, a sandbox a client keeps
 * using (OpenCode sessions through the proxy) stays up past its idle_timeout; once the client stops, msb drains it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { built } from '../helpers/built-cli.ts';
import { Project, SIMULATOR_ONLY, eventually, freePort, tokens, type SandboxSpec, type Tokens } from './harness.ts';

// Longer than apply's own verification (a cold OpenCode start on a busy machine), which msb does not count either.
const IDLE_SECS = 30;

describe('keepalive keeps a used sandbox awake, and lets an unused one drain', { skip: SIMULATOR_ONLY }, () => {
  let project: Project;
  let alice: SandboxSpec & { tokens: Tokens };
  let base: string;
  const auth = () => ({ authorization: `Bearer ${alice.tokens.client}` });

  /** What a remote OpenWork client does: work in an OpenCode session (a new one each time). */
  async function useIt(): Promise<void> {
    const workspaces = (await (await fetch(`${base}/workspaces`, { headers: auth() })).json()) as { items: Array<{ id: string }> };
    const created = await fetch(`${base}/w/${workspaces.items[0]!.id}/opencode/session`, {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'client work' }),
    });
    assert.equal(created.status, 200);
    await created.arrayBuffer();
  }

  before(async () => {
    project = await Project.create('keepalive');
    alice = { name: 'alice', port: await freePort(), tokens: tokens('alice'), idleTimeout: `${IDLE_SECS}s` };
    base = `http://127.0.0.1:${alice.port}`;
    await project.writeFile([alice]);
    const created = await project.owctl(['apply', '--auto-approve']);
    assert.equal(created.code, 0, created.stdout + created.stderr);
  });
  after(() => project.cleanup());

  it('--once: a sandbox no client used yet is left to the drain; nothing is touched', async () => {
    const pass = await project.owctl(['keepalive', '--once']);
    assert.equal(pass.code, 0, pass.stdout + pass.stderr);
    assert.match(pass.stdout, /^alice: no client activity yet \(idle_timeout 30 s\): left to msb's idle drain$/m);
    assert.equal((await project.msbCalls()).filter((argv) => argv[0] === 'touch').length, 0);
  });

  it('while a client works, keepalive holds the sandbox past its idle_timeout; after it stops, msb drains it', async () => {
    // Apply's verification spent part of the idle budget: restart msb's idle clock once, by hand, from here.
    assert.equal((await project.msbRaw(['touch', 'alice'])).code, 0);
    const clockStart = Date.now();
    await useIt();
    const keeper = project.spawnOwctl(['keepalive', '--interval', '2s'], {}, built());
    try {
      await eventually(async () => /alice: used by a client \d+ s ago/.test(keeper.output()), 20_000, 'the first keepalive pass');
      // The client works until well past the idle timeout counted from the last msb activity but keepalive's touches.
      // msb's side of that time passes on the simulator's fake lifecycle clock, a third of the timeout at a time, each step
      // followed by client work and the next touch (they were 35 real seconds before): over the loop, more than the
      // idle timeout passes for msb's monitor since the last activity that was not keepalive's.
      const touched = async () => (await project.msbCalls()).filter((argv) => argv[0] === 'touch').length;
      let advanced = 0;
      while (advanced + (Date.now() - clockStart) / 1000 < IDLE_SECS + 5) {
        const before = await touched();
        assert.deepEqual(project.advanceIdleClock(IDLE_SECS / 3), ['alice']);
        advanced += IDLE_SECS / 3;
        await useIt();
        await eventually(async () => (await touched()) > before, IDLE_SECS * 1000, 'keepalive\'s next touch');
        assert.equal((await project.inspect('alice'))?.status, 'Running', 'a sandbox in use was drained');
      }
      assert.match(keeper.output(), /alice: used by a client \d+ s ago \(idle_timeout 30 s\): touched/);
      // The client stops: the last use ages past the idle timeout (real seconds: keepalive's own clock), keepalive
      // says so and stops touching.
      const leftToDrain = /alice: no client activity for \d+ s \(idle_timeout 30 s\): left to msb's idle drain/;
      await eventually(async () => leftToDrain.test(keeper.output()), 3 * IDLE_SECS * 1000, 'keepalive to leave it to the drain');
      const touches = (await project.msbCalls()).filter((argv) => argv[0] === 'touch').length;
      // msb's idle timer then runs out since keepalive's last touch. The simulator's fake lifecycle clock lets those
      // 30 s pass at once (they were waited out in real time before); the drain itself is real.
      assert.deepEqual(project.advanceIdleClock(IDLE_SECS), ['alice']);
      await eventually(async () => (await project.inspect('alice'))?.status === 'Stopped', 20_000, 'the drain after the client stopped');
      assert.equal((await project.msbCalls()).filter((argv) => argv[0] === 'touch').length, touches, 'no touch once left to the drain');
    } finally {
      keeper.child.kill('SIGINT');
      await keeper.done;
    }
    const plan = await project.owctl(['plan', '--detailed-exitcode']);
    assert.equal(plan.code, 0);
    assert.match(plan.stdout, /alice is asleep/);
  });
});
