/**
 * Contract: how owctl records access on a running msb sandbox without restarting it (src/msb/backend.ts
 * writeLabels). Facts measured on the real msb 0.6.18, and the simulator held to the same answers:
 * - a label change on a Running sandbox is `requires restart` ("live label updates are not available in this runtime
 *   yet"); without --restart or --next-start msb refuses the whole modify (exit 1, applied false, nothing stored);
 * - with --next-start it is `next start`, applied, and lands in `config.labels` at once: `inspect` reads it back and
 *   `ls --label` filters by it, while the sandbox stays Running (nothing restarts);
 * - on a Stopped sandbox --next-start is accepted too (the same as without).
 * The real binary cannot boot here, so its Running state is set in its SQLite state (needs the sqlite3 CLI). msb 0.7.2
 * (OWCTL_TEST_MSB=0.7.2) answered the same when this was written.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { writeOciImage } from '../helpers/oci-image.ts';
import { hasSqlite, makeMsbHome, populateSandbox, setRecordedStatus, type MsbHome } from '../helpers/msb-home.ts';
import { ECHO_WORKLOAD, makeSim } from './harness.ts';

interface Run {
  exitCode: number;
  stdout: string;
  stderr: string;
}
type Msb = (args: string[]) => Promise<Run>;

const LABEL = 'owctl.dev/a.bob=viewer.tok_1';

async function labelsOf(msb: Msb, name: string): Promise<{ status: string; labels: Record<string, string> }> {
  const view = JSON.parse((await msb(['inspect', name, '--format', 'json'])).stdout);
  return { status: view.status, labels: view.config.labels };
}

/** The facts above, against one msb with a Running sandbox `name`. */
async function runningFacts(msb: Msb, name: string): Promise<void> {
  const refused = await msb(['modify', name, '--label', LABEL, '--format', 'json']);
  assert.equal(refused.exitCode, 1);
  const plan = JSON.parse(refused.stdout);
  assert.deepEqual([plan.applied, plan.changes[0].field, plan.changes[0].disposition], [false, 'label', 'requires restart']);
  assert.equal((await labelsOf(msb, name)).labels['owctl.dev/a.bob'], undefined, 'nothing stored');

  const saved = await msb(['modify', name, '--label', LABEL, '--next-start', '--format', 'json']);
  assert.equal(saved.exitCode, 0, saved.stderr);
  const answer = JSON.parse(saved.stdout);
  assert.deepEqual([answer.applied, answer.policy, answer.changes[0].disposition], [true, 'next_start', 'next start']);
  const after = await labelsOf(msb, name);
  assert.equal(after.labels['owctl.dev/a.bob'], 'viewer.tok_1', 'inspect reads it back at once');
  assert.equal(after.status, 'Running', 'nothing restarted');
  const listed = JSON.parse((await msb(['ls', '--label', LABEL, '--format', 'json'])).stdout);
  assert.deepEqual(listed.map((row: { name: string }) => row.name), [name]);

  const removed = await msb(['modify', name, '--label-rm', 'owctl.dev/a.bob', '--next-start', '--format', 'json']);
  assert.equal(removed.exitCode, 0, removed.stderr);
  assert.equal((await labelsOf(msb, name)).labels['owctl.dev/a.bob'], undefined);
}

describe('labels on a running sandbox: refused without a restart, stored at once with --next-start', () => {
  let real: MsbHome;
  let sim: Awaited<ReturnType<typeof makeSim>>;

  before(async () => {
    real = await makeMsbHome();
    sim = await makeSim({ MSB_SIM_WORKLOAD: ECHO_WORKLOAD });
    const image = await writeOciImage(sim.work, { ref: 'owctl-test:1' });
    assert.equal((await sim.run(['load', '-q', '-i', image.archive])).exitCode, 0);
  });
  after(async () => {
    await real?.cleanup();
    await sim?.cleanup();
  });

  it('the real msb 0.6.18', async (t) => {
    if (!(await hasSqlite())) return t.skip('needs the sqlite3 CLI to fake a running sandbox');
    await populateSandbox(real, 'web', { labels: { 'owctl.dev/project': 'demo' } });
    const stopped = await real.msb(['modify', 'web', '--label', 'stopped=yes', '--next-start', '--format', 'json']);
    assert.equal(stopped.exitCode, 0, stopped.stderr);
    assert.equal((await labelsOf(real.msb, 'web')).labels.stopped, 'yes', 'a stopped sandbox takes --next-start too');
    assert.ok(await setRecordedStatus(real, 'web', 'Running'));
    try {
      await runningFacts(real.msb, 'web');
    } finally {
      await setRecordedStatus(real, 'web', 'Stopped');
    }
  });

  it('the simulator (a sandbox it really "boots")', async () => {
    const created = await sim.run(['create', 'owctl-test:1', '--pull', 'never', '--name', 'web']);
    assert.equal(created.exitCode, 0, created.stderr);
    assert.equal((await labelsOf(sim.run, 'web')).status, 'Running');
    await runningFacts(sim.run, 'web');
    await sim.run(['stop', 'web']);
    const stopped = await sim.run(['modify', 'web', '--label', 'stopped=yes', '--next-start', '--format', 'json']);
    assert.equal(stopped.exitCode, 0, stopped.stderr);
    assert.equal((await labelsOf(sim.run, 'web')).labels.stopped, 'yes');
  });
});
