import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { OwctlError } from '../../src/errors.ts';
import { Msb, PINNED_MSB_VERSION } from '../../src/msb/driver.ts';
import type { SpawnResult } from '../../src/msb/run.ts';
import { SERVER_STOP_SCRIPT, WORKLOAD_LAUNCH_SCRIPT } from '../../src/msb/workload.ts';
import type { MsbHome } from '../helpers/msb-home.ts';
import { FAILED_BOOT_STATUSES, MSB_BIN, MSB_VERSION, hasSqlite, makeMsbHome, populateSandbox, setRecordedStatus } from '../helpers/msb-home.ts';
import type { OciImage } from '../helpers/oci-image.ts';
import { writeOciImage } from '../helpers/oci-image.ts';
import { CLIENT_TOKEN } from './desired.ts';
import { recordingSpawner } from './recording-spawner.ts';

const isCode = (code: string) => (error: unknown) => error instanceof OwctlError && error.code === code;

describe('Msb driver against the real binary', () => {
  let home: MsbHome;
  let msb: Msb;
  let image: OciImage;

  before(async () => {
    home = await makeMsbHome();
    msb = new Msb(MSB_BIN, home.env);
    image = await writeOciImage(home.root, { ref: 'owctl-test:1' });
    await msb.imageLoad(image.archive, image.ref);
    await Promise.all([
      populateSandbox(home, 'web', { labels: { 'owctl.dev/project': 'demo', tier: 'front' }, memoryMib: 512, cpus: 1, env: { A: '1' } }),
      populateSandbox(home, 'api', { labels: { 'owctl.dev/project': 'demo' } }),
      populateSandbox(home, 'other', { labels: { 'owctl.dev/project': 'else' } }),
      populateSandbox(home, 'oci', { image: 'owctl-test:1', ports: ['18080:8080'] }),
    ]);
  });
  after(() => home.cleanup());

  it('reports the version, the backend and the doctor verdict', async () => {
    assert.equal(await msb.version(), MSB_VERSION);
    assert.equal(PINNED_MSB_VERSION, '0.6.18', 'the bundled default stays 0.6.18');
    assert.deepEqual(await msb.context(), { kind: 'local', source: 'default' });
    const doctor = await msb.doctor();
    assert.equal(typeof doctor.ok, 'boolean');
    assert.match(doctor.checks, /CPU virt/);
  });

  it('lists sandboxes by label (AND, exact)', async () => {
    const names = async (labels: Record<string, string>) => (await msb.list(labels)).map((s) => s.name).sort();
    assert.deepEqual(await names({ 'owctl.dev/project': 'demo' }), ['api', 'web']);
    assert.deepEqual(await names({ 'owctl.dev/project': 'demo', tier: 'front' }), ['web']);
    assert.deepEqual(await names({}), ['api', 'oci', 'other', 'web']);
    const [web] = await msb.list({ tier: 'front' });
    assert.deepEqual(web, { name: 'web', status: web!.status, image: home.fastFailPath });
    assert.ok(FAILED_BOOT_STATUSES.includes(web!.status), web!.status);
  });

  it('inspects an OCI sandbox: image ref, digest, merged env, ports', async () => {
    const oci = await msb.inspect('oci');
    assert.ok(oci);
    assert.equal(oci.image, 'owctl-test:1');
    assert.equal(oci.manifestDigest, image.manifestDigest);
    assert.equal(oci.pull, 'never');
    assert.deepEqual(oci.env, image.env);
    assert.deepEqual(oci.ports, [{ host: 18080, guest: 8080, bind: '127.0.0.1', protocol: 'tcp' }]);
  });

  it('inspects a cached image, and says null for a missing one', async () => {
    assert.deepEqual(await msb.imageInspect('owctl-test:1'), {
      ref: 'owctl-test:1',
      digest: image.manifestDigest,
      env: image.env,
      entrypoint: image.entrypoint,
      cmd: image.cmd,
    });
    assert.equal(await msb.imageInspect('owctl-test:missing'), null);
  });

  it('modify: a dry run changes nothing; applied on a stopped sandbox it lands at once', async () => {
    const changes = { cpus: 2, memoryMib: 1024, env: { B: '2' }, envRemove: ['A'], labels: { tier: 'back' }, labelRemove: [] };
    const dry = await msb.modify('web', changes, { dryRun: true });
    assert.equal(dry.applied, false);
    assert.deepEqual(dry.changes.map((c) => c.field).sort(), ['cpus', 'env', 'env', 'label', 'max_cpus', 'max_memory', 'memory']);
    assert.equal((await msb.inspect('web'))?.memoryMib, 512);

    const applied = await msb.modify('web', changes);
    assert.equal(applied.applied, true);
    const web = await msb.inspect('web');
    assert.equal(web?.cpus, 2);
    assert.equal(web?.memoryMib, 1024);
    assert.deepEqual(web?.env, { B: '2' });
    assert.equal(web?.labels.tier, 'back');
  });

  it('modify refuses secret env values before running msb (msb modify only takes env on argv)', async () => {
    const spawner = recordingSpawner();
    const guarded = new Msb(MSB_BIN, home.env, { spawner });
    await assert.rejects(guarded.modify('web', { env: { OPENWORK_TOKEN: CLIENT_TOKEN } }, { secretEnv: ['OPENWORK_TOKEN'] }), isCode('msb.failed'));
    assert.equal(spawner.requests.length, 0);
  });

  it('modify that msb refuses as a whole (running, needs restart) → msb.sandbox_running with fields, no values', async (t) => {
    if (!(await hasSqlite())) return t.skip('needs the sqlite3 CLI to fake a running sandbox');
    await setRecordedStatus(home, 'api', 'Running');
    try {
      await assert.rejects(msb.modify('api', { env: { SOME: 'value-1234' } }), (error: unknown) => {
        assert.ok(error instanceof OwctlError && error.code === 'msb.sandbox_running', String(error));
        assert.match(error.message, /env \(requires restart\)/);
        assert.doesNotMatch(`${error.message} ${JSON.stringify(error.details)}`, /value-1234/);
        return true;
      });
      // --next-start saves it without touching the VM; labels land in the stored config at once.
      const saved = await msb.modify('api', { labels: { later: 'yes' } }, { nextStart: true });
      assert.equal(saved.applied, true);
      assert.equal((await msb.inspect('api'))?.labels.later, 'yes');
    } finally {
      await setRecordedStatus(home, 'api', 'Stopped');
    }
  });

  it('logs returns text; exec and start of a sandbox that cannot boot fail as msb.start_failed', async () => {
    assert.equal(typeof (await msb.logs('api', { tail: 5, source: ['all'] })), 'string');
    await assert.rejects(msb.exec('api', ['true']), isCode('msb.start_failed'));
    await assert.rejects(msb.logs('nope'), isCode('msb.sandbox_not_found'));
  });

  it('stopCause reads the system log: a boot that failed is no policy stop', async () => {
    await populateSandbox(home, 'timed', { idleTimeout: '30m', maxDuration: '8h' });
    assert.equal(await msb.stopCause('timed'), null);
  });

  it('logs with follow streams until stopped', async () => {
    const handle = msb.logs('api', { follow: true, tail: 1 });
    handle.stdout.resume();
    handle.stop(); // msb follows a stopped sandbox forever: only stop() ends it
    const result = await handle.done;
    assert.notEqual(result.exitCode, 0); // ended by us, not by msb
  });

  it('launchWorkload runs exactly `exec NAME -- /bin/sh -c WORKLOAD_LAUNCH_SCRIPT ARGV...`', async () => {
    const ok: SpawnResult = { exitCode: 0, stdout: '', stderr: '', timedOut: false };
    const spawner = recordingSpawner({ run: async () => ok, stream: () => assert.fail('no stream') });
    await new Msb(MSB_BIN, home.env, { spawner }).launchWorkload('web', ['/usr/local/bin/entry.sh', 'serve', '--port', '8787']);
    assert.deepEqual(spawner.requests[0]?.args, ['exec', 'web', '--', '/bin/sh', '-c', WORKLOAD_LAUNCH_SCRIPT, '/usr/local/bin/entry.sh', 'serve', '--port', '8787']);
    // Its own session (an exec session's abnormal end kills the session's process group), stdin from /dev/null,
    // output into a guest file (so the session ends with the shell), and its pid recorded for the graceful stop.
    assert.equal(WORKLOAD_LAUNCH_SCRIPT, 'setsid "$0" "$@" </dev/null >>/tmp/openwork-server.log 2>&1 & echo $! >/tmp/openwork-server.pid');
  });

  it('stopServer sends SIGTERM through a bounded exec and maps its exit: 0 stopped, 3 nothing to stop, 4 still running', async () => {
    for (const [exitCode, outcome] of [[0, 'stopped'], [3, 'not-running'], [4, 'timed-out']] as const) {
      const spawner = recordingSpawner({ run: async () => ({ exitCode, stdout: '', stderr: '', timedOut: false }), stream: () => assert.fail('no stream') });
      assert.equal(await new Msb(MSB_BIN, home.env, { spawner }).stopServer('web', 7), outcome);
      assert.deepEqual(spawner.requests[0]?.args, ['exec', '--timeout', '12s', 'web', '--', '/bin/sh', '-c', SERVER_STOP_SCRIPT, '7']);
    }
    const failing = recordingSpawner({ run: async () => ({ exitCode: 1, stdout: '', stderr: 'error: sandbox not found: web\n', timedOut: false }), stream: () => assert.fail('no stream') });
    await assert.rejects(new Msb(MSB_BIN, home.env, { spawner: failing }).stopServer('web'), isCode('msb.sandbox_not_found'));
    // The simulator recognises the script verbatim.
    assert.equal((await import('../sim/lib/guest.mjs' as string)).SERVER_STOP_SCRIPT, SERVER_STOP_SCRIPT);
  });

  it('passes msb an allowlisted environment, MSB_HOME included, owctl secrets not', async () => {
    const spawner = recordingSpawner();
    const env = { ...home.env, OPENWORK_TOKEN: CLIENT_TOKEN, MSB_BACKEND: '' };
    await new Msb(MSB_BIN, env, { spawner }).list();
    const passed = spawner.requests[0]?.env ?? {};
    assert.equal(passed.MSB_HOME, home.home);
    assert.equal(passed.OPENWORK_TOKEN, undefined);
    assert.equal('MSB_BACKEND' in passed, false);
  });

  it('removes a stopped sandbox; a missing one is msb.sandbox_not_found', async () => {
    await msb.remove('other');
    assert.equal(await msb.inspect('other'), null);
    await assert.rejects(msb.remove('other'), isCode('msb.sandbox_not_found'));
  });

  it('removes a running sandbox only with force', async (t) => {
    if (!(await hasSqlite())) return t.skip('needs the sqlite3 CLI to fake a running sandbox');
    await populateSandbox(home, 'doomed');
    await setRecordedStatus(home, 'doomed', 'Running');
    await assert.rejects(msb.remove('doomed'), isCode('msb.sandbox_running'));
    await msb.remove('doomed', { force: true });
    assert.equal(await msb.inspect('doomed'), null);
  });
});
