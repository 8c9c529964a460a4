/**
 * What owctl records when it creates a sandbox's bind folders, for `destroy --purge`: only the folders it made (a
 * folder that already existed — the project's ./src — is never recorded), under the sandbox's name, in its record
 * beside the project lock; several sandboxes created at once all land in it.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { FolderRecord } from '../../src/apply/created-folders.ts';
import type { LiveObserver } from '../../src/msb/live-observer.ts';
import { msbBackend } from '../../src/msb/backend.ts';
import { desiredSandbox } from '../helpers/states.ts';

const base = await mkdtemp(join(tmpdir(), 'owctl-created-'));
after(() => rm(base, { recursive: true, force: true }));

describe('the record of folders owctl creates', () => {
  it('prepareMounts records the bind folders it made for the sandbox, never one that existed', async () => {
    const project = join(base, 'p1');
    await mkdir(join(project, 'src'), { recursive: true });
    const record = FolderRecord.forProject('demo', { MSB_HOME: join(base, 'msb-home') });
    const observer = { msb: { addSecrets: () => undefined } } as unknown as LiveObserver;
    const backend = msbBackend(observer, { secrets: [], folders: record });
    const sandbox = desiredSandbox('alice', {
      mounts: [
        { type: 'bind', source: join(project, 'src'), target: '/workspace', readonly: false },
        { type: 'bind', source: join(project, '.owctl', 'alice', 'data'), target: '/data', readonly: false },
        { type: 'tmpfs', target: '/tmp', sizeMib: 64 },
      ],
    });
    assert.deepEqual(await backend.prepareMounts(sandbox), [join(project, '.owctl', 'alice', 'data')]);
    assert.ok(existsSync(join(project, '.owctl', 'alice', 'data')));
    assert.deepEqual((await record.read()).map((e) => [e.path, e.sandbox]), [[join(project, '.owctl', 'alice', 'data'), 'alice']]);
    assert.equal(record.file, join(base, 'msb-home', 'owctl', 'folders', 'demo.json'));
    // A second create (a replacement) finds the folder there: the record of the first stays.
    assert.deepEqual(await backend.prepareMounts(sandbox), []);
    assert.equal((await record.read()).length, 1);
  });

  it('keeps every entry when sandboxes are prepared at once, and forgets purged ones', async () => {
    const record = new FolderRecord(join(base, 'p2', 'record.json'));
    const paths = Array.from({ length: 8 }, (_, i) => join(base, 'p2', `s${i}`));
    for (const path of paths) await mkdir(path, { recursive: true });
    await Promise.all(paths.map((path, i) => record.record(`s${i}`, [path])));
    assert.deepEqual((await record.read()).map((e) => e.sandbox).sort(), paths.map((_, i) => `s${i}`));
    await record.forget([paths[0]!, paths[1]!]);
    assert.equal((await record.read()).length, 6);
  });
});
