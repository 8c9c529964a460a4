/** A create killed outright strands its private conf file; later runs remove it (and nothing else). */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { sweepStrayConfs } from '../../src/msb/conf.ts';

it('removes conf folders of processes that are gone, keeps those of live ones and anything else', async () => {
  const root = await mkdtemp(join(tmpdir(), 'owctl-strays-'));
  try {
    const gone = spawnSync(process.execPath, ['-e', '']).pid!;
    const folders = {
      stray: join(root, `owctl-conf-${gone}-abc123`),
      live: join(root, `owctl-conf-${process.ppid}-def456`),
      other: join(root, 'owctl-config-1-xyz'),
    };
    // Left by an owctl that is gone for an msb call that still runs (it may not have read the file yet).
    const leftForCall = join(root, `owctl-conf-${gone}-ghi789`);
    for (const dir of [...Object.values(folders), leftForCall]) {
      await mkdir(dir);
      await writeFile(join(dir, 'sandbox.json'), '{"env":{"OPENWORK_TOKEN":"secret"}}');
    }
    await writeFile(join(leftForCall, 'readers'), `${gone}\n${process.pid}\n`);
    assert.equal(await sweepStrayConfs(root), 1);
    assert.deepEqual(Object.entries(folders).map(([name, dir]) => [name, existsSync(dir)]), [['stray', false], ['live', true], ['other', true]]);
    assert.equal(existsSync(leftForCall), true, 'kept while the call it was left for runs');
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
