/**
 * The key driver test: what owctl declares is exactly what msb stores. Each sandbox is created through the driver
 * from a DesiredSandbox (one private --conf file), then read back through the normaliser and compared field by field.
 * A bind mount through `..` makes each boot fail at once (this host cannot boot VMs anyway); the config is stored.
 */
import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { OwctlError } from '../../src/errors.ts';
import { ownedLabels } from '../../src/model/applied.ts';
import type { DesiredSandbox, MountSpec, PortSpec } from '../../src/model/desired.ts';
import { guestEnv } from '../../src/model/desired.ts';
import { buildConf, portSpec } from '../../src/msb/conf.ts';
import { Msb } from '../../src/msb/driver.ts';
import { withoutImplicitTmp } from '../../src/msb/normalize.ts';
import type { SpawnRequest } from '../../src/msb/run.ts';
import type { MsbHome } from '../helpers/msb-home.ts';
import { FAILED_BOOT_STATUSES, IS_MSB_07, MSB_BIN, makeMsbHome } from '../helpers/msb-home.ts';
import type { OciImage } from '../helpers/oci-image.ts';
import { writeOciImage } from '../helpers/oci-image.ts';
import { CLIENT_TOKEN, HOST_TOKEN, desired } from './desired.ts';
import { recordingSpawner } from './recording-spawner.ts';

const byTarget = (mounts: MountSpec[]) => [...mounts].sort((a, b) => (a.target < b.target ? -1 : 1));
const byPort = (ports: PortSpec[]) => [...ports].sort((a, b) => a.host - b.host);

describe('conf round trip against the real msb', () => {
  let home: MsbHome;
  let image: OciImage;
  const confChecks: Array<Promise<void>> = [];
  const spawner = recordingSpawner(undefined, async (request) => {
    if (request.args[0] === 'create') confChecks.push(checkConfFile(request));
  });
  let msb: Msb;

  before(async () => {
    home = await makeMsbHome();
    msb = new Msb(MSB_BIN, home.env, { spawner });
    image = await writeOciImage(home.root, { ref: 'owctl-test:1' });
    await msb.imageLoad(image.archive, image.ref);
    await home.msb(['volume', 'create', 'owctl-vol']);
  });
  after(() => home.cleanup());

  async function createAndRead(spec: DesiredSandbox, owner: Record<string, string>) {
    await assert.rejects(msb.create(spec, owner), (error: unknown) => error instanceof OwctlError && error.code === 'msb.start_failed');
    const observed = await msb.inspect(spec.name);
    assert.ok(observed, `${spec.name} was not recorded`);
    return observed;
  }

  it('stores every declared field exactly (image, pull, resources, env with tokens, labels, mounts, ports, lifecycle)', async () => {
    const spec = desired('full', {
      pull: 'if-missing',
      cpus: 2,
      memoryMib: 768,
      mounts: [
        { type: 'bind', source: home.fastFailPath, target: '/workspace', readonly: false },
        { type: 'bind', source: home.rootfs, target: '/reference', readonly: true },
        { type: 'volume', source: 'owctl-vol', target: '/data', readonly: false },
        { type: 'tmpfs', target: '/scratch', sizeMib: 64 },
        { type: 'tmpfs', target: '/cache' },
      ],
      ports: [
        { host: 18787, guest: 8787, bind: '127.0.0.1', protocol: 'tcp' },
        { host: 19000, guest: 9000, bind: '0.0.0.0', protocol: 'udp' },
        { host: 18788, guest: 8788, bind: '::1', protocol: 'tcp' },
      ],
      env: { PLAIN: 'x', WITH_DOLLAR: 'a${HOME}b$', QUOTES: `it's "quoted"`, MULTI: 'line1\nline2', EMPTY: '' },
      labels: { team: 'core', note: '${NOT_EXPANDED}' },
      idleTimeoutSecs: 1800,
      maxDurationSecs: 28800,
    });
    const owner = ownedLabels('demo', spec);
    const observed = await createAndRead(spec, owner);

    assert.ok(FAILED_BOOT_STATUSES.includes(observed.status), observed.status);
    assert.equal(observed.image, 'owctl-test:1');
    assert.equal(observed.manifestDigest, image.manifestDigest);
    assert.equal(observed.pull, 'if-missing');
    assert.equal(observed.cpus, 2);
    assert.equal(observed.memoryMib, 768);
    assert.deepEqual(observed.env, { ...image.env, ...guestEnv(spec) });
    assert.deepEqual(observed.labels, { ...spec.labels, ...owner });
    assert.deepEqual(byTarget(withoutImplicitTmp(observed.mounts, spec.mounts)), byTarget(spec.mounts));
    assert.deepEqual(byPort(observed.ports), byPort(spec.ports));
    assert.equal(observed.idleTimeoutSecs, 1800);
    assert.equal(observed.maxDurationSecs, 28800);
    assert.equal(observed.server, 'unknown');
  });

  it('leaves out what is not declared: no ports, no lifecycle limits; pull never', async () => {
    const spec = desired('minimal', { mounts: [{ type: 'bind', source: home.fastFailPath, target: '/workspace', readonly: false }] });
    const observed = await createAndRead(spec, {});
    assert.equal(observed.pull, 'never');
    assert.deepEqual(observed.ports, []);
    assert.equal(observed.idleTimeoutSecs, null);
    assert.equal(observed.maxDurationSecs, null);
    assert.deepEqual(observed.labels, {});
    // msb 0.6.18 adds its own /tmp tmpfs to OCI sandboxes when none is declared (the normaliser hides it then);
    // msb 0.7 no longer does.
    assert.equal(observed.mounts.some((m) => m.type === 'tmpfs' && m.target === '/tmp'), !IS_MSB_07);
    assert.deepEqual(withoutImplicitTmp(observed.mounts, spec.mounts), spec.mounts);
  });

  it('keeps a declared /tmp mount as declared', async () => {
    const mounts: MountSpec[] = [
      { type: 'bind', source: home.fastFailPath, target: '/workspace', readonly: false },
      { type: 'tmpfs', target: '/tmp', sizeMib: 100 },
    ];
    const observed = await createAndRead(desired('tmp-declared', { memoryMib: 512, mounts }), {});
    assert.deepEqual(byTarget(withoutImplicitTmp(observed.mounts, mounts)), byTarget(mounts));
  });

  it('wrote each conf to a private 0600 file that is gone afterwards, and kept every token off argv', async () => {
    await Promise.all(confChecks);
    assert.equal(confChecks.length, 3);
    const argv = JSON.stringify(spawner.requests.map((r) => r.args));
    assert.doesNotMatch(argv, new RegExp(`${CLIENT_TOKEN}|${HOST_TOKEN}`));
    for (const request of spawner.requests.filter((r) => r.args[0] === 'create')) {
      assert.deepEqual(request.args.filter((a) => !a.startsWith('/')), ['create', '--quiet', '--name', request.args[3], '--conf']);
      const conf = request.args[5] ?? '';
      await assert.rejects(stat(conf), { code: 'ENOENT' });
      await assert.rejects(stat(dirname(conf)), { code: 'ENOENT' });
    }
  });
});

async function checkConfFile(request: SpawnRequest): Promise<void> {
  const path = request.args[request.args.indexOf('--conf') + 1] ?? '';
  const [file, folder] = await Promise.all([stat(path), stat(dirname(path))]);
  assert.equal(file.mode & 0o777, 0o600);
  assert.equal(folder.mode & 0o777, 0o700);
  const text = await readFile(path, 'utf8');
  assert.ok(text.includes(CLIENT_TOKEN) && text.includes(HOST_TOKEN), 'the tokens travel in the conf file');
}

describe('buildConf', () => {
  it('writes msb conf keys and units, owctl labels over user labels', () => {
    const spec = desired('x', {
      pull: 'if-missing',
      memoryMib: 1536,
      idleTimeoutSecs: 90,
      labels: { a: '1', 'owctl.dev/project': 'user-value' },
      mounts: [{ type: 'volume', source: 'v', target: '/v', readonly: true }],
      ports: [{ host: 1, guest: 2, bind: '127.0.0.1', protocol: 'udp' }],
    });
    const { document, env } = buildConf(spec, { 'owctl.dev/project': 'demo' });
    assert.deepEqual(document, {
      image: { oci: 'owctl-test:1' },
      pull_policy: 'missing',
      cpus: 1,
      memory: '1536M',
      env: { OPENWORK_HOST_TOKEN: HOST_TOKEN, OPENWORK_TOKEN: CLIENT_TOKEN },
      labels: { a: '1', 'owctl.dev/project': 'demo' },
      idle_timeout: '90s',
      mounts: [{ named: 'v', target: '/v', readonly: true, create: 'ensure-exists' }],
      network: { ports: ['127.0.0.1:1:2/udp'] },
    });
    assert.deepEqual(env, {});
  });

  it('passes values containing ${ through msb environment variables, verbatim', () => {
    const { document, env } = buildConf(desired('x', { env: { A: 'x${HOME}' } }), { note: '${B}' });
    assert.deepEqual((document.env as Record<string, string>).A, '${OWCTL_CONF_VALUE_0}');
    assert.deepEqual((document.labels as Record<string, string>).note, '${OWCTL_CONF_VALUE_1}');
    assert.deepEqual(env, { OWCTL_CONF_VALUE_0: 'x${HOME}', OWCTL_CONF_VALUE_1: '${B}' });
  });

  it('brackets IPv6 bind addresses', () => {
    assert.equal(portSpec({ host: 80, guest: 8080, bind: '::', protocol: 'tcp' }), '[::]:80:8080');
  });
});
