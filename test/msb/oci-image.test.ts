import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { MsbHome } from '../helpers/msb-home.ts';
import { FAST_FAIL_TARGET, makeMsbHome, populateSandbox } from '../helpers/msb-home.ts';
import { OPENWORK_ENTRYPOINT, tar, writeOciImage } from '../helpers/oci-image.ts';

describe('test/helpers/oci-image.ts', () => {
  let home: MsbHome;
  before(async () => {
    home = await makeMsbHome();
  });
  after(() => home.cleanup());

  it('is deterministic: the same options give the same bytes', async () => {
    const a = await writeOciImage(join(home.root), { ref: 'same:1' });
    const first = await readFile(a.archive);
    const b = await writeOciImage(join(home.root), { ref: 'same:1' });
    assert.deepEqual(await readFile(b.archive), first);
    assert.equal(a.manifestDigest, b.manifestDigest);
  });

  it('writes ustar: 512-byte blocks, long names split into prefix', () => {
    const long = `${'d'.repeat(120)}/file.txt`;
    const archive = tar([{ path: long, content: 'x' }]);
    assert.equal(archive.length % 512, 0);
    assert.equal(archive.subarray(257, 262).toString(), 'ustar');
    assert.equal(archive.subarray(345, 345 + 120).toString(), 'd'.repeat(120));
  });

  it('loads into the real msb under its annotated ref, and `create REF --pull never` records it', async () => {
    const image = await writeOciImage(home.root, { ref: 'owctl-annotated:2', env: { FOO: 'bar' } });
    const load = await home.msb(['load', '-i', image.archive]);
    assert.equal(load.exitCode, 0, load.stderr);
    const inspected = JSON.parse((await home.msb(['image', 'inspect', 'owctl-annotated:2', '--format', 'json'])).stdout);
    assert.equal(inspected.digest, image.manifestDigest);
    assert.deepEqual(inspected.config.entrypoint, [OPENWORK_ENTRYPOINT]);
    assert.deepEqual(inspected.config.env, ['FOO=bar']);

    await populateSandbox(home, 'from-image', { image: 'owctl-annotated:2' });
    const config = JSON.parse((await home.msb(['inspect', 'from-image', '--format', 'json'])).stdout).config;
    assert.equal(config.manifest_digest, image.manifestDigest);
    assert.deepEqual(config.runtime.entrypoint, [OPENWORK_ENTRYPOINT]);
    assert.ok(config.mounts.some((m: { guest: string }) => m.guest === FAST_FAIL_TARGET));
  });
});
