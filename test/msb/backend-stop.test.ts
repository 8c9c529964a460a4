/**
 * The msb backend's stop is graceful: msb stop alone SIGKILLs a server that outlived its exec (the simulator models
 * that), so a running sandbox's server gets SIGTERM through exec first; a stopped sandbox is not booted to ask.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { msbBackend } from '../../src/msb/backend.ts';
import { Msb } from '../../src/msb/driver.ts';
import { liveObserver } from '../../src/msb/live-observer.ts';
import { WORKLOAD_LAUNCH_SCRIPT } from '../../src/msb/workload.ts';
import { ECHO_WORKLOAD, SIM_MSB, eventually, makeSim } from '../contract/harness.ts';
import type { Side } from '../contract/harness.ts';
import { OPENWORK_ENTRYPOINT, writeOciImage } from '../helpers/oci-image.ts';

describe('msb backend stop', () => {
  let sim: Side & { work: string; cleanup(): Promise<void> };
  before(async () => {
    sim = await makeSim({ MSB_SIM_WORKLOAD: ECHO_WORKLOAD });
    const image = await writeOciImage(sim.work, { ref: 'owctl-stop:1' });
    assert.equal((await sim.run(['load', '-q', '-i', image.archive])).exitCode, 0);
  });
  after(() => sim?.cleanup());

  it('asks the server to stop (SIGTERM) before msb stops the VM', async () => {
    assert.equal((await sim.run(['create', 'owctl-stop:1', '--pull', 'never', '--name', 'web'])).exitCode, 0);
    assert.equal((await sim.run(['exec', 'web', '--', '/bin/sh', '-c', WORKLOAD_LAUNCH_SCRIPT, OPENWORK_ENTRYPOINT])).exitCode, 0);
    await eventually(async () => ((await sim.run(['logs', 'web'])).stdout.includes('listening') ? true : undefined), 10_000, 'the server');
    const msb = new Msb(SIM_MSB, sim.env);
    const backend = msbBackend(liveObserver(msb, { path: SIM_MSB, source: 'flag' }, sim.env), { secrets: [] });
    await backend.stop('web');
    assert.equal(JSON.parse((await sim.run(['inspect', 'web', '--format', 'json'])).stdout).status, 'Stopped');
    assert.match((await sim.run(['logs', 'web'])).stdout, /received SIGTERM/);
    // Stopped already: no exec (which would boot it), msb stop only.
    await backend.stop('web');
    assert.equal(JSON.parse((await sim.run(['inspect', 'web', '--format', 'json'])).stdout).status, 'Stopped');
  });
});
