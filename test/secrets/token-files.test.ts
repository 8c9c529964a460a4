import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { knownSecrets } from '../../src/secrets/known.ts';
import { readTokenFile, removeTokenFile, writeTokenFile } from '../../src/secrets/token-files.ts';

describe('token files', () => {
  it('are 0600 in 0700 folders under .owctl/access, git-ignored, read back, remembered as secrets, and removed', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'owctl-token-files-'));
    try {
      const file = await writeTokenFile(dir, 'alice', 'bob', 'owt_value_0123456789abcdef');
      assert.equal(file, path.join(dir, '.owctl', 'access', 'alice', 'bob.token'));
      assert.equal((await stat(file)).mode & 0o777, 0o600);
      assert.equal((await stat(path.dirname(file))).mode & 0o777, 0o700);
      assert.equal((await stat(path.join(dir, '.owctl', 'access'))).mode & 0o777, 0o700);
      assert.ok((await readFile(path.join(dir, '.owctl', 'access', '.gitignore'), 'utf8')).split('\n').includes('*'));
      assert.equal(await readTokenFile(dir, 'alice', 'bob'), 'owt_value_0123456789abcdef');
      assert.ok(knownSecrets().includes('owt_value_0123456789abcdef'), 'redacted from any error from now on');
      await removeTokenFile(dir, 'alice', 'bob');
      assert.equal(await readTokenFile(dir, 'alice', 'bob'), null);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
