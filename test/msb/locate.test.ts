import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { OwctlError } from '../../src/errors.ts';
import { bundledMsb, locateMsb } from '../../src/msb/locate.ts';

describe('locateMsb', () => {
  let dir: string;
  const fake = (name: string) => join(dir, name, 'msb');

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'owctl-locate-'));
    for (const name of ['flag', 'owctl', 'msbpath', 'bundled', 'onpath']) {
      await mkdir(join(dir, name));
      await writeFile(fake(name), '#!/bin/sh\necho msb 0.6.18\n');
      await chmod(fake(name), 0o755);
    }
    await mkdir(join(dir, 'noexec'));
    await writeFile(fake('noexec'), '');
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const all = () => ({
    flag: fake('flag'),
    env: { OWCTL_MSB: fake('owctl'), MSB_PATH: fake('msbpath'), PATH: join(dir, 'onpath') },
    cwd: dir,
    bundled: () => fake('bundled'),
  });

  it('prefers --msb, then OWCTL_MSB, then MSB_PATH, then the bundled package, then PATH', () => {
    const options = all();
    assert.deepEqual(locateMsb(options), { path: fake('flag'), source: 'flag' });
    assert.deepEqual(locateMsb({ ...options, flag: undefined }), { path: fake('owctl'), source: 'OWCTL_MSB' });
    assert.deepEqual(locateMsb({ ...options, flag: undefined, env: { ...options.env, OWCTL_MSB: undefined } }), {
      path: fake('msbpath'),
      source: 'MSB_PATH',
    });
    assert.deepEqual(locateMsb({ ...options, flag: undefined, env: { PATH: options.env.PATH } }), { path: fake('bundled'), source: 'bundled' });
    assert.deepEqual(locateMsb({ ...options, flag: undefined, env: { PATH: options.env.PATH }, bundled: () => null }), {
      path: fake('onpath'),
      source: 'PATH',
    });
  });

  it('treats empty values as unset', () => {
    const located = locateMsb({ flag: '', env: { OWCTL_MSB: '', MSB_PATH: '' }, cwd: dir, bundled: () => fake('bundled') });
    assert.equal(located.source, 'bundled');
  });

  it('resolves a relative --msb against cwd', () => {
    assert.deepEqual(locateMsb({ flag: 'flag/msb', env: {}, cwd: dir, bundled: () => null }), { path: fake('flag'), source: 'flag' });
  });

  it('fails loudly when an explicit choice is missing or not executable, instead of falling through', () => {
    for (const options of [
      { flag: join(dir, 'nope', 'msb'), env: {} },
      { env: { OWCTL_MSB: fake('noexec') } },
      { env: { MSB_PATH: join(dir, 'flag') } }, // a directory
    ]) {
      assert.throws(
        () => locateMsb({ ...options, cwd: dir, bundled: () => fake('bundled') }),
        (error: unknown) => error instanceof OwctlError && error.code === 'msb.not_found' && error.hint !== undefined,
      );
    }
  });

  it('reports msb.not_found with a hint when nothing is found', () => {
    assert.throws(
      () => locateMsb({ env: { PATH: join(dir, 'noexec') }, cwd: dir, bundled: () => null }),
      (error: unknown) => error instanceof OwctlError && error.code === 'msb.not_found' && /OWCTL_MSB/.test(error.hint ?? ''),
    );
  });

  it('finds the bundled platform package installed with owctl', () => {
    const path = bundledMsb();
    assert.ok(path?.endsWith('/@superradcompany/microsandbox-linux-x64-gnu/bin/msb'));
    assert.equal(locateMsb({ env: {}, cwd: dir }).source, 'bundled');
  });
});
