import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { OwctlError } from '../../src/errors.ts';
import { LABEL_PROJECT } from '../../src/model/labels.ts';
import type { ObservedSandbox } from '../../src/model/observed.ts';
import { Msb } from '../../src/msb/driver.ts';
import { observe } from '../../src/msb/observe.ts';
import type { MsbHome } from '../helpers/msb-home.ts';
import { FAST_FAIL_TARGET, IS_MSB_07, MSB_BIN, hasSqlite, makeMsbHome, populateSandbox, setRecordedStatus } from '../helpers/msb-home.ts';
import type { OciImage } from '../helpers/oci-image.ts';
import { writeOciImage } from '../helpers/oci-image.ts';
import { desired, desiredState } from './desired.ts';
import { recordingSpawner } from './recording-spawner.ts';

describe('observe against a populated MSB_HOME', () => {
  let home: MsbHome;
  let image: OciImage;
  let sqlite = false;
  const state = desiredState('p1', [
    desired('alpha'),
    desired('holder', { image: { ref: 'owctl-missing:2' } }),
    desired('newone'),
  ]);

  before(async () => {
    home = await makeMsbHome();
    image = await writeOciImage(home.root, { ref: 'owctl-test:1' });
    await new Msb(MSB_BIN, home.env).imageLoad(image.archive, image.ref);
    await Promise.all([
      populateSandbox(home, 'alpha', { image: 'owctl-test:1', labels: { [LABEL_PROJECT]: 'p1' } }),
      populateSandbox(home, 'beta', { labels: { [LABEL_PROJECT]: 'p1' } }),
      populateSandbox(home, 'gamma', { labels: { [LABEL_PROJECT]: 'p2' } }),
      populateSandbox(home, 'holder', { labels: { owner: 'someone' } }),
    ]);
    sqlite = (await hasSqlite()) && (await setRecordedStatus(home, 'beta', 'Running'));
  });
  after(() => home.cleanup());

  it('takes one snapshot: owned sandboxes plus holders of declared names, images by ref, probes of running ones', async () => {
    const spawner = recordingSpawner();
    const probed: string[] = [];
    const probe = async (sandbox: ObservedSandbox) => {
      probed.push(sandbox.name);
      return 'up' as const;
    };
    const observed = await observe(new Msb(MSB_BIN, home.env, { spawner }), state, { parallelism: 4, probe });

    assert.equal(observed.backend, 'local');
    assert.deepEqual(observed.sandboxes.map((s) => s.name), ['alpha', 'beta', 'holder']);
    assert.deepEqual(Object.keys(observed.images), ['owctl-missing:2', 'owctl-test:1']);
    assert.equal(observed.images['owctl-missing:2'], null);
    assert.equal(observed.images['owctl-test:1']?.digest, image.manifestDigest);

    const holder = observed.sandboxes.find((s) => s.name === 'holder');
    assert.deepEqual(holder?.labels, { owner: 'someone' });
    // msb's implicit /tmp tmpfs is hidden for a declared sandbox that declares no /tmp mount.
    const alpha = observed.sandboxes.find((s) => s.name === 'alpha');
    assert.deepEqual(alpha?.mounts.map((m) => m.target), [FAST_FAIL_TARGET]);
    assert.equal(alpha?.server, 'unknown');
    if (sqlite) {
      assert.deepEqual(probed, ['beta']);
      assert.equal(observed.sandboxes.find((s) => s.name === 'beta')?.server, 'up');
    }

    const calls = spawner.requests.map((r) => r.args.slice(0, r.args[0] === 'image' ? 3 : 2).join(' ')).sort();
    assert.deepEqual(calls, [
      'context --format',
      'image inspect owctl-missing:2',
      'image inspect owctl-test:1',
      'inspect alpha',
      'inspect beta',
      'inspect holder',
      'inspect newone',
      'ls --format',
    ]);
    assert.ok(spawner.requests.find((r) => r.args[0] === 'ls')?.args.includes(`--label=${LABEL_PROJECT}=p1`));
  });

  it('gives the same snapshot at any parallelism; a probe that throws means down', async (t) => {
    const msb = new Msb(MSB_BIN, home.env);
    const probe = async () => {
      throw new Error('connection refused');
    };
    const one = await observe(msb, state, { parallelism: 1, probe });
    const many = await observe(msb, state, { parallelism: 16, probe });
    assert.deepEqual(one, many);
    if (!sqlite) return t.skip('needs the sqlite3 CLI to fake a running sandbox');
    assert.equal(one.sandboxes.find((s) => s.name === 'beta')?.server, 'down');
  });

  it('stops after `context` on the cloud backend, with msb.unsupported_backend', async () => {
    const spawner = recordingSpawner();
    const cloud = new Msb(MSB_BIN, { ...home.env, MSB_BACKEND: 'cloud', MSB_API_KEY: 'not-a-real-key' }, { spawner });
    // 0.6.18 answers `context` with kind cloud; the npm build of 0.7.2 has no cloud backend and fails `context`.
    await assert.rejects(observe(cloud, state, { parallelism: 2 }), (error: unknown) => {
      assert.ok(error instanceof OwctlError && error.code === 'msb.unsupported_backend', String(error));
      assert.match(error.message, IS_MSB_07 ? /the cloud backend is not available/ : /active backend is cloud/);
      assert.match(error.hint ?? '', /MSB_BACKEND/);
      return true;
    });
    assert.deepEqual(spawner.subcommands(), ['context']);
  });
});
