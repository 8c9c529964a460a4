/**
 * What the simulator believes about processes in the guest, stop and idle detection — each fact from microsandbox's
 * sources (v0.6.14, b30fd164; the 0.6.18 binary carries the same log texts), named per test. The real msb cannot
 * boot a VM on this host, so these run against the simulator only; they exist so that a launch or a stop that would
 * fail in a real VM fails in owctl's tests too.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { SERVER_STOP_SCRIPT, WORKLOAD_LAUNCH_SCRIPT } from '../../src/msb/workload.ts';
import { OPENWORK_ENTRYPOINT, writeOciImage } from '../helpers/oci-image.ts';
import { freePort } from '../helpers/ports.ts';
import type { Side } from './harness.ts';
import { ECHO_WORKLOAD, SIM_MSB, eventually, makeSim } from './harness.ts';

type Sim = Side & { work: string; cleanup(): Promise<void> };
const REF = 'owctl-guest:1';
/**
 * The idle timeout and the max duration the drain tests give their sandboxes: long enough for a launch (or the next
 * touch) to land before them on a loaded host with this file's tests running at once (each simulator call is a node
 * process: one took over 5 s at a load average of 20), short enough to wait for.
 */
const IDLE_SECS = 8;
const MAX_SECS = 10;
/** The launch owctl used before: nohup in the exec's own process group. */
const GROUP_LAUNCH = 'nohup "$0" "$@" >>/tmp/openwork-server.log 2>&1 &';

async function health(port: number): Promise<{ pid: number } | undefined> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(1_000) });
    return (await response.json()) as { pid: number };
  } catch {
    return undefined;
  }
}

/** A live process (a zombie waiting for its reaper counts as gone). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

async function status(sim: Sim, name: string): Promise<string> {
  return JSON.parse((await sim.run(['inspect', name, '--format', 'json'])).stdout).status;
}

/** `msb exec` as its own process, so the test can end it abnormally. */
function spawnExec(sim: Sim, args: string[], extraEnv: Record<string, string> = {}) {
  const child = spawn(SIM_MSB, ['exec', ...args], { env: { ...sim.env, ...extraEnv }, stdio: 'ignore' });
  const exited = new Promise<number>((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal === null ? 1 : 128))));
  return { child, exited };
}

// The tests run at once: most of their time is waited out (idle timeouts, max durations, servers starting), each uses
// its own sandbox names in the one simulator home, and the simulator serialises its state like msb does.
describe('guest processes, stop and idle detection (simulator; facts from the msb sources)', { concurrency: true }, () => {
  let sim: Sim;

  before(async () => {
    sim = await makeSim({ MSB_SIM_WORKLOAD: ECHO_WORKLOAD });
    const image = await writeOciImage(sim.work, { ref: REF });
    assert.equal((await sim.run(['load', '-q', '-i', image.archive])).exitCode, 0);
  });

  after(() => sim?.cleanup());

  async function boot(name: string, extra: string[] = []): Promise<number> {
    const port = await freePort();
    const create = await sim.run(['create', REF, '--pull', 'never', '--name', name, '-p', `127.0.0.1:${port}:8787`, ...extra]);
    assert.equal(create.exitCode, 0, create.stderr);
    return port;
  }

  it('agentd session.rs/process.rs: ending an open exec session abnormally kills its process group; a server moved out with setsid survives', async () => {
    for (const [script, survives] of [[GROUP_LAUNCH, false], [WORKLOAD_LAUNCH_SCRIPT, true]] as const) {
      const name = survives ? 'own-session' : 'exec-group';
      const port = await boot(name);
      // The session stays open for a while after the shell exits; a signal to `msb exec` in that window ends it.
      const exec = spawnExec(sim, [name, '--', '/bin/sh', '-c', script, OPENWORK_ENTRYPOINT], { MSB_SIM_EXEC_LINGER_MS: '30000' });
      const { pid } = await eventually(() => health(port), 10_000, 'the server to answer');
      exec.child.kill('SIGTERM');
      assert.equal(await exec.exited, 128 + 15);
      if (survives) {
        assert.ok(await health(port), 'the setsid server outlives the abnormal end of its exec session');
      } else {
        await eventually(async () => (alive(pid) ? undefined : true), 5_000, 'the server in the exec process group to die');
      }
    }
  });

  it('agentd session.rs: --timeout ends an open session the same way; a normal end signals nothing', async () => {
    const port = await boot('timeout');
    const exec = await sim.run(['exec', '--timeout', '1s', 'timeout', '--', '/bin/sh', '-c', GROUP_LAUNCH, OPENWORK_ENTRYPOINT], { MSB_SIM_EXEC_LINGER_MS: '30000' });
    assert.notEqual(exec.exitCode, 0);
    assert.equal(await health(port), undefined, 'the server in the timed-out session is gone');
    // Without a linger the session ends normally at once: even the old launch survives that.
    const normal = await sim.run(['exec', 'timeout', '--', '/bin/sh', '-c', GROUP_LAUNCH, OPENWORK_ENTRYPOINT]);
    assert.equal(normal.exitCode, 0);
    assert.ok(await eventually(() => health(port), 10_000, 'the server to answer'));
  });

  it('agentd shutdown path: msb stop sends SIGTERM only to tracked exec sessions, then SIGKILL to every other process', async () => {
    await boot('orphan');
    assert.equal((await sim.run(['exec', 'orphan', '--', '/bin/sh', '-c', WORKLOAD_LAUNCH_SCRIPT, OPENWORK_ENTRYPOINT])).exitCode, 0);
    await eventually(async () => ((await sim.run(['logs', 'orphan'])).stdout.includes('listening') ? true : undefined), 10_000, 'the orphan to listen');
    assert.equal((await sim.run(['stop', 'orphan'])).exitCode, 0);
    assert.doesNotMatch((await sim.run(['logs', 'orphan'])).stdout, /received SIGTERM/, 'an orphaned server gets no SIGTERM from msb stop');

    await boot('tracked');
    const foreground = spawnExec(sim, ['tracked', '--', OPENWORK_ENTRYPOINT]);
    await eventually(async () => ((await sim.run(['logs', 'tracked'])).stdout.includes('listening') ? true : undefined), 10_000, 'the foreground server to listen');
    assert.equal((await sim.run(['stop', 'tracked'])).exitCode, 0);
    await foreground.exited;
    assert.match((await sim.run(['logs', 'tracked'])).stdout, /received SIGTERM/, 'a server inside an open exec session gets SIGTERM');
  });

  it("owctl's graceful stop: SIGTERM to the pid the launch recorded, bounded wait; exit 3 when no server is recorded", async () => {
    const port = await boot('graceful');
    assert.equal((await sim.run(['exec', 'graceful', '--', '/bin/sh', '-c', WORKLOAD_LAUNCH_SCRIPT, OPENWORK_ENTRYPOINT])).exitCode, 0);
    const { pid } = await eventually(() => health(port), 10_000, 'the server to answer');
    const stop = await sim.run(['exec', 'graceful', '--', '/bin/sh', '-c', SERVER_STOP_SCRIPT, '10']);
    assert.equal(stop.exitCode, 0, stop.stderr);
    assert.equal(alive(pid), false);
    assert.match((await sim.run(['logs', 'graceful'])).stdout, /received SIGTERM/);
    assert.equal((await sim.run(['exec', 'graceful', '--', '/bin/sh', '-c', SERVER_STOP_SCRIPT, '10'])).exitCode, 3);
  });

  it('runtime vm.rs/heartbeat.rs: the idle drain counts exec activity only — traffic on a published port does not keep the sandbox up', async () => {
    const port = await boot('idle', ['--idle-timeout', String(IDLE_SECS)]);
    assert.equal((await sim.run(['exec', 'idle', '--', '/bin/sh', '-c', WORKLOAD_LAUNCH_SCRIPT, OPENWORK_ENTRYPOINT])).exitCode, 0);
    await eventually(() => health(port), 10_000, 'the server to answer');
    // A client keeps talking to the published port; msb never hears of it.
    const traffic = setInterval(() => void health(port), 200);
    try {
      await eventually(async () => ((await status(sim, 'idle')) === 'Stopped' ? true : undefined), IDLE_SECS * 1000 + 15_000, 'the idle drain');
    } finally {
      clearInterval(traffic);
    }
    const system = (await sim.run(['logs', 'idle', '--source', 'system'])).stdout;
    assert.match(system, new RegExp(`sandbox idle, requesting guest shutdown idle_secs=${IDLE_SECS}`));
    assert.doesNotMatch((await sim.run(['logs', 'idle'])).stdout, /received SIGTERM/, 'the drain gives the orphaned server no SIGTERM');
  });

  // The open session and the touches are two facts on two sandboxes, so that their waits overlap.
  it('runtime heartbeat.rs: an open exec session keeps the idle timer from firing', async () => {
    await boot('busy', ['--idle-timeout', String(IDLE_SECS)]);
    const session = spawnExec(sim, ['busy', '--', OPENWORK_ENTRYPOINT]);
    try {
      await eventually(async () => ((await sim.run(['logs', 'busy'])).stdout.includes('listening') ? true : undefined), 10_000, 'the session to start');
      // Two idle timeouts pass with the session open: an open session is never idle.
      const openSince = Date.now();
      await eventually(async () => (Date.now() - openSince > 2 * IDLE_SECS * 1000 ? true : undefined), 2 * IDLE_SECS * 1000 + 2_000, 'two idle timeouts');
      assert.equal(await status(sim, 'busy'), 'Running');
    } finally {
      session.child.kill('SIGTERM');
      await session.exited;
    }
  });

  it('runtime heartbeat.rs + cli touch.rs: `msb touch` keeps the idle timer from firing; touch of a stopped sandbox fails', async () => {
    await boot('touched', ['--idle-timeout', String(IDLE_SECS)]);
    // Touches back to back for two idle timeouts: each succeeds only on a running sandbox.
    const touchingSince = Date.now();
    while (Date.now() - touchingSince < 2 * IDLE_SECS * 1000) assert.equal((await sim.run(['touch', 'touched'])).exitCode, 0, 'a touched sandbox was drained');
    await eventually(async () => ((await status(sim, 'touched')) === 'Stopped' ? true : undefined), IDLE_SECS * 1000 + 15_000, 'the drain once touches stop');
    const touched = await sim.run(['touch', 'touched']);
    assert.equal(touched.exitCode, 1);
    assert.match(touched.stderr, /^error: sandbox 'touched' is not running \(status: Stopped\); cannot touch$/m);
  });

  it('runtime vm.rs: max duration drains however busy the sandbox is; `start` then boots idle, without the server (launch not persisted)', async () => {
    const port = await boot('capped', ['--max-duration', String(MAX_SECS)]);
    assert.equal((await sim.run(['exec', 'capped', '--', '/bin/sh', '-c', WORKLOAD_LAUNCH_SCRIPT, OPENWORK_ENTRYPOINT])).exitCode, 0);
    await eventually(() => health(port), 10_000, 'the server to answer');
    await eventually(async () => ((await status(sim, 'capped')) === 'Stopped' ? true : undefined), MAX_SECS * 1000 + 15_000, 'the max-duration drain');
    assert.match((await sim.run(['logs', 'capped', '--source', 'system'])).stdout, new RegExp(`max duration ${MAX_SECS}s exceeded, triggering exit`));
    assert.equal((await sim.run(['start', 'capped'])).exitCode, 0);
    assert.equal(await status(sim, 'capped'), 'Running');
    assert.equal(await health(port), undefined, 'a started sandbox runs no server until one is launched');
  });
});
