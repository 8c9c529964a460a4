/**
 * The simulator's msb 0.7 mode (MSB_SIM_VERSION=0.7.2) against the real msb 0.7.2, on the differences owctl meets:
 * the version, inspect's `pause` and `config.external_mount_policy`, no implicit /tmp tmpfs, a failed boot ending
 * Crashed or Stopped, `ls --stopped` leaving Crashed out, and `stop` of a Crashed sandbox succeeding without effect.
 * Without MSB_SIM_VERSION the simulator stays 0.6.18 (test/contract/msb-contract.test.ts).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { MSB_07_BIN, hasSqlite } from '../helpers/msb-home.ts';
import { writeOciImage } from '../helpers/oci-image.ts';
import { makePair, type MsbRun, type Pair } from './harness.ts';

const REF = 'owctl-test:1';
const SIM_07 = { MSB_SIM_NO_VIRT: '1', MSB_SIM_VERSION: '0.7.2' };

const json = (run: MsbRun) => JSON.parse(run.stdout);

describe('simulator in msb 0.7 mode vs the real msb 0.7.2', () => {
  let pair: Pair;
  let fastFail: string;

  before(async () => {
    pair = await makePair(SIM_07, MSB_07_BIN);
    await mkdir(join(pair.work, 'workspace'));
    fastFail = `${pair.work}/workspace/../workspace`;
    const image = await writeOciImage(pair.work, { ref: REF });
    const loaded = await pair.both(['load', '-q', '-i', image.archive, '-t', REF]);
    assert.equal(loaded.real.exitCode + loaded.sim.exitCode, 0, loaded.real.stderr + loaded.sim.stderr);
  });
  after(() => pair?.cleanup());

  it('--version says 0.7.2', async () => {
    const { real, sim } = await pair.both(['--version']);
    assert.equal(sim.stdout, real.stdout);
    assert.equal(real.stdout, 'msb 0.7.2\n');
  });

  it('a failed create leaves Crashed or Stopped; inspect has pause and external_mount_policy, and no /tmp tmpfs', async () => {
    const created = await pair.both(['create', '--quiet', '--name', 'a', '--pull', 'never', '--volume', `${fastFail}:/ff`, REF]);
    assert.deepEqual([created.real.exitCode, created.sim.exitCode], [1, 1]);
    const { real, sim } = await pair.both(['inspect', 'a', '--format', 'json']);
    for (const view of [json(real), json(sim)]) {
      assert.deepEqual(Object.keys(view), ['active_config', 'config', 'created_at', 'name', 'pause', 'pending_changes', 'status', 'updated_at']);
      assert.equal(view.pause, null);
      assert.equal(view.config.external_mount_policy, 'strict');
      assert.ok(['Crashed', 'Stopped'].includes(view.status), view.status);
      assert.deepEqual(view.config.mounts.map((m: { guest: string }) => m.guest), ['/ff'], 'no implicit /tmp');
    }
  });

  it('ls --stopped leaves Crashed out; stop of a Crashed sandbox succeeds and changes nothing', async (t) => {
    if (!(await hasSqlite())) return t.skip('needs the sqlite3 CLI to pin the real side\'s status');
    await pair.both(['create', '--quiet', '--name', 'b', '--pull', 'never', '--volume', `${fastFail}:/ff`, REF], { MSB_SIM_FAILED_BOOT_STATUS: 'Crashed' });
    await promisify(execFile)('sqlite3', [join(pair.real.home, 'db', 'msb.db'), "UPDATE sandbox SET status = 'Crashed' WHERE name = 'b'"]);
    const stopped = await pair.both(['ls', '--stopped', '--format', 'json']);
    for (const run of [stopped.real, stopped.sim]) assert.ok(!json(run).some((row: { name: string }) => row.name === 'b'), run.stdout);
    const all = await pair.both(['ls', '--format', 'json']);
    for (const run of [all.real, all.sim]) assert.equal(json(run).find((row: { name: string }) => row.name === 'b')?.status, 'Crashed');
    const stop = await pair.both(['stop', 'b']);
    assert.deepEqual([stop.real.exitCode, stop.sim.exitCode], [0, 0]);
    const after = await pair.both(['inspect', 'b', '--format', 'json']);
    assert.deepEqual([json(after.real).status, json(after.sim).status], ['Crashed', 'Crashed']);
  });
});
