/**
 * The parts of the msb simulator the real binary cannot show on this host (it cannot boot a VM): booting, the
 * workload on the mapped host port, stopping, the failure knobs, modify on a running sandbox, concurrency.
 * The workload here is test/sim/echo-workload.mjs (MSB_SIM_WORKLOAD); the last test uses the default one.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { WORKLOAD_LAUNCH_SCRIPT } from '../../src/msb/workload.ts';
import { OPENWORK_ENTRYPOINT, writeOciImage } from '../helpers/oci-image.ts';
import type { Side } from './harness.ts';
import { ECHO_WORKLOAD, category, errorLine, eventually, makeSim } from './harness.ts';
import { freePort } from '../helpers/ports.ts';

type Sim = Side & { work: string; cleanup(): Promise<void> };
const REF = 'owctl-test:1';
const DEFAULT_FIXTURE = fileURLToPath(new URL('../fixture/openwork-server.mjs', import.meta.url));


async function health(port: number): Promise<Record<string, unknown> | undefined> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(1_000) });
    return (await response.json()) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

async function inspect(sim: Sim, name: string): Promise<{ status: string; active_config: unknown; pending_changes: unknown[]; config: { resources: { cpus: number }; env: Array<{ key: string; value: string }> } }> {
  const run = await sim.run(['inspect', name, '--format', 'json']);
  assert.equal(run.exitCode, 0, run.stderr);
  return JSON.parse(run.stdout);
}

async function launch(sim: Sim, name: string, env: Record<string, string> = {}) {
  return sim.run(['exec', name, '--', '/bin/sh', '-c', WORKLOAD_LAUNCH_SCRIPT, OPENWORK_ENTRYPOINT, 'openwork-server', '--port', '8787'], env);
}

describe('msb simulator only (the real msb cannot boot here)', () => {
  let sim: Sim;

  before(async () => {
    sim = await makeSim({ MSB_SIM_WORKLOAD: ECHO_WORKLOAD });
    const image = await writeOciImage(sim.work, { ref: REF });
    const load = await sim.run(['load', '-q', '-i', image.archive]);
    assert.equal(load.exitCode, 0, load.stderr);
  });

  after(() => sim?.cleanup());

  it('create boots an idle VM: Running, active_config set, nothing listens yet', async () => {
    const port = await freePort();
    const create = await sim.run(['create', REF, '--pull', 'never', '--name', 'idle', '-p', `127.0.0.1:${port}:8787`]);
    assert.equal(create.exitCode, 0, create.stderr);
    const view = await inspect(sim, 'idle');
    assert.equal(view.status, 'Running');
    assert.deepEqual(view.active_config, view.config);
    assert.equal(await health(port), undefined);
  });

  it("exec of owctl's launch command starts the workload on the mapped host port with the sandbox env; stop closes it and leaves no process", async () => {
    const port = await freePort();
    const create = await sim.run(['create', REF, '--pull', 'never', '--name', 'web', '-p', `127.0.0.1:${port}:8787`, '-e', 'OPENWORK_TOKEN=secret']);
    assert.equal(create.exitCode, 0, create.stderr);
    const exec = await launch(sim, 'web');
    assert.equal(exec.exitCode, 0, exec.stderr);
    const answer = await eventually(() => health(port), 10_000, 'the workload to answer');
    assert.equal(answer.sandbox, 'web');
    assert.equal(answer.hasToken, true);
    assert.deepEqual(answer.argv, ['openwork-server', '--port', '8787']);
    const pid = Number(answer.pid);
    const logs = await sim.run(['logs', 'web']);
    assert.match(logs.stdout, /echo-workload listening on 127\.0\.0\.1:/);

    const stop = await sim.run(['stop', 'web']);
    assert.equal(stop.exitCode, 0, stop.stderr);
    assert.equal(await health(port), undefined, 'port closed after stop');
    assert.equal(processGone(pid), true, 'no workload process left');
    assert.equal((await inspect(sim, 'web')).status, 'Stopped');
  });

  it('start boots idle again: the workload is not restarted (the launch command is not persisted)', async () => {
    const start = await sim.run(['start', 'web']);
    assert.equal(start.exitCode, 0, start.stderr);
    assert.equal((await inspect(sim, 'web')).status, 'Running');
    const status = JSON.parse((await sim.run(['status', 'web', '--format', 'json'])).stdout);
    assert.equal(status.status, 'Running');
    const port = Number(String(status.ports[0]).split(':')[1]?.split('->')[0]);
    assert.equal(await health(port), undefined);
  });

  it('a workload that dies on its own leaves the sandbox Running (the VM is still up)', async () => {
    const exec = await launch(sim, 'web');
    assert.equal(exec.exitCode, 0, exec.stderr);
    const status = JSON.parse((await sim.run(['status', 'web', '--format', 'json'])).stdout);
    const port = Number(String(status.ports[0]).split(':')[1]?.split('->')[0]);
    const answer = await eventually(() => health(port), 10_000, 'the workload to answer');
    process.kill(Number(answer.pid), 'SIGKILL');
    await eventually(async () => ((await health(port)) === undefined ? true : undefined), 5_000, 'the workload to die');
    assert.equal((await inspect(sim, 'web')).status, 'Running');
  });

  it('rm refuses a running sandbox (sandbox still running); rm -f stops and removes it', async () => {
    const refused = await sim.run(['rm', 'web']);
    assert.equal(refused.exitCode, 1);
    assert.equal(errorLine(refused.stderr), "sandbox still running: cannot remove sandbox 'web': still running");
    const forced = await sim.run(['rm', '-f', 'web']);
    assert.equal(forced.exitCode, 0, forced.stderr);
    assert.equal(category((await sim.run(['inspect', 'web'])).stderr), 'sandbox not found');
  });

  it('a host port already in use fails the boot like msb would (failed to start), the row stays Stopped', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const address = blocker.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      const create = await sim.run(['create', REF, '--pull', 'never', '--name', 'busy', '-p', `127.0.0.1:${port}:8787`]);
      assert.equal(create.exitCode, 1);
      assert.equal(category(create.stderr), 'failed to start');
      assert.equal((await inspect(sim, 'busy')).status, 'Stopped');
    } finally {
      blocker.close();
    }
    // A port held by another running sandbox counts as in use too.
    const first = await sim.run(['create', REF, '--pull', 'never', '--name', 'holder', '-p', `127.0.0.1:${port}:8787`]);
    assert.equal(first.exitCode, 0, first.stderr);
    const second = await sim.run(['start', 'busy']);
    assert.equal(second.exitCode, 1);
    assert.match(errorLine(second.stderr) ?? '', /^failed to start "busy": port 127\.0\.0\.1:\d+\/tcp: Address already in use/);
  });

  it('failure knobs: MSB_SIM_BOOT_FAIL fails named sandboxes, MSB_SIM_NO_VIRT fails every boot, MSB_SIM_BOOT_DELAY_MS slows it', async () => {
    const failed = await sim.run(['create', REF, '--pull', 'never', '--name', 'doomed'], { MSB_SIM_BOOT_FAIL: 'other,doomed' });
    assert.equal(failed.exitCode, 1);
    assert.equal(errorLine(failed.stderr), 'failed to start "doomed"');
    assert.equal((await inspect(sim, 'doomed')).status, 'Stopped');

    const noVirt = await sim.run(['start', 'doomed'], { MSB_SIM_NO_VIRT: '1' });
    assert.equal(noVirt.exitCode, 1);
    assert.equal(errorLine(noVirt.stderr), 'failed to start "doomed": sandbox process exited (exit status: 1) before agent relay became available');

    const slow = await sim.run(['start', 'doomed'], { MSB_SIM_BOOT_DELAY_MS: '600' });
    assert.equal(slow.exitCode, 0, slow.stderr);
    assert.ok(slow.ms >= 600, `boot took ${slow.ms} ms`);
  });

  it('modify on a running sandbox: cpus up to the boot max are live; env needs a restart; --restart and --next-start', async () => {
    const create = await sim.run(['create', REF, '--pull', 'never', '--name', 'mod', '-c', '1', '--max-cpus', '4']);
    assert.equal(create.exitCode, 0, create.stderr);
    const live = JSON.parse((await sim.run(['modify', 'mod', '--cpus=2', '--format', 'json'])).stdout);
    assert.deepEqual(live.changes.map((c: { disposition: string }) => c.disposition), ['live']);
    assert.equal(live.applied, true);
    assert.equal((await inspect(sim, 'mod')).config.resources.cpus, 2);

    const refused = await sim.run(['modify', 'mod', '--env=MODE=prod', '--format', 'json']);
    assert.equal(refused.exitCode, 1);
    assert.equal(refused.stderr, '');
    assert.equal(JSON.parse(refused.stdout).applied, false);
    assert.equal(JSON.parse(refused.stdout).changes[0].disposition, 'requires restart');
    const text = await sim.run(['modify', 'mod', '--env=MODE=prod']);
    assert.equal(errorLine(text.stderr), 'cannot modify "mod" without a restart');

    const later = await sim.run(['modify', 'mod', '--env=MODE=later', '--next-start', '--format', 'json']);
    assert.equal(later.exitCode, 0, later.stderr);
    assert.equal((await inspect(sim, 'mod')).pending_changes.length, 1);

    const restarted = await sim.run(['modify', 'mod', '--env=MODE=prod', '--restart', '--format', 'json']);
    assert.equal(restarted.exitCode, 0, restarted.stderr);
    const after = await inspect(sim, 'mod');
    assert.equal(after.status, 'Running');
    assert.deepEqual(after.pending_changes, []);
    assert.ok(after.config.env.some((e) => e.key === 'MODE' && e.value === 'prod'));
  });

  it('guest commands: true and echo work, an unknown program fails to exec with 127', async () => {
    assert.equal((await sim.run(['exec', 'mod', '--', 'true'])).exitCode, 0);
    const echo = await sim.run(['exec', 'mod', '--', 'echo', 'hello', 'guest']);
    assert.equal(echo.stdout, 'hello guest\n');
    const missing = await sim.run(['exec', 'mod', '--', 'curl', 'http://x']);
    assert.equal(missing.exitCode, 127);
    assert.equal(errorLine(missing.stderr), 'failed to exec "curl"');
    const shell = await sim.run(['exec', 'mod', '--', '/bin/sh', '-c', 'curl http://x']);
    assert.equal(shell.exitCode, 127);
    assert.equal(shell.stderr, 'sh: curl: not found\n');
  });

  it('run -d starts the image entrypoint as the workload and prints the name', async () => {
    const port = await freePort();
    const run = await sim.run(['run', '-d', '--name', 'ran', '--pull', 'never', '-p', `127.0.0.1:${port}:8787`, REF, '--', 'serve']);
    assert.equal(run.exitCode, 0, run.stderr);
    assert.equal(run.stdout, 'ran\n');
    const answer = await eventually(() => health(port), 10_000, 'the workload to answer');
    assert.deepEqual(answer.argv, ['serve']);
    assert.equal((await sim.run(['rm', '-f', 'ran'])).exitCode, 0);
    assert.equal(processGone(Number(answer.pid)), true);
  });

  it('20 parallel creates with distinct names all succeed; 5 same-name creates: exactly one wins', async () => {
    const names = Array.from({ length: 20 }, (_, i) => `par-${i}`);
    const runs = await Promise.all(names.map((name) => sim.run(['create', REF, '--pull', 'never', '--name', name, '-q'])));
    runs.forEach((run, i) => assert.equal(run.exitCode, 0, `${names[i]}: ${run.stderr}`));
    const listed = JSON.parse((await sim.run(['ls', '--format', 'json'])).stdout) as Array<{ name: string }>;
    for (const name of names) assert.ok(listed.some((row) => row.name === name), name);

    const same = await Promise.all(Array.from({ length: 5 }, () => sim.run(['create', REF, '--pull', 'never', '--name', 'same'])));
    assert.equal(same.filter((run) => run.exitCode === 0).length, 1);
    for (const run of same.filter((r) => r.exitCode !== 0)) {
      assert.equal(errorLine(run.stderr), "sandbox already exists: sandbox 'same' already exists; remove it, start the stopped sandbox, or recreate with .replace()");
    }
  });

  it('--version answers like msb 0.6.18; doctor says it is the owctl msb simulator', async () => {
    assert.equal((await sim.run(['--version'])).stdout, 'msb 0.6.18\n');
    const doctor = await sim.run(['doctor']);
    assert.equal(doctor.exitCode, 0);
    assert.match(doctor.stderr, /owctl msb simulator/);
    const noVirt = await sim.run(['doctor'], { MSB_SIM_NO_VIRT: '1' });
    assert.equal(noVirt.exitCode, 1);
    assert.equal(errorLine(noVirt.stderr), 'CPU virtualization is not available');
  });

  it('the default workload is test/fixture/openwork-server.mjs, with the sandbox env', { skip: !existsSync(DEFAULT_FIXTURE) && 'fixture not written yet' }, async () => {
    const port = await freePort();
    const conf = join(sim.work, 'fixture.json');
    await writeFile(
      conf,
      JSON.stringify({
        image: { oci: REF },
        pull_policy: 'never',
        env: { OPENWORK_TOKEN: 'client-token', OPENWORK_HOST_TOKEN: 'host-token' },
        network: { ports: [`127.0.0.1:${port}:8787`] },
      }),
    );
    const env = { MSB_SIM_WORKLOAD: '' };
    const create = await sim.run(['create', '--name', 'fixture', '--conf', conf], env);
    assert.equal(create.exitCode, 0, create.stderr);
    assert.equal((await launch(sim, 'fixture', env)).exitCode, 0);
    const answer = await eventually(() => health(port), 15_000, 'the fixture to answer');
    assert.equal(answer.ok, true);
    const unauthorised = await fetch(`http://127.0.0.1:${port}/workspaces`);
    assert.equal(unauthorised.status, 401);
    const authorised = await fetch(`http://127.0.0.1:${port}/workspaces`, { headers: { authorization: 'Bearer client-token' } });
    assert.equal(authorised.status, 200);
    assert.equal((await sim.run(['rm', '-f', 'fixture'])).exitCode, 0);
    assert.equal(await health(port), undefined);
  });
});

/** True when no live (non-zombie) process with this pid remains. */
function processGone(pid: number): boolean {
  try {
    const stat = readFileSyncSafe(`/proc/${pid}/stat`);
    if (stat === null) return true;
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}


function readFileSyncSafe(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}
