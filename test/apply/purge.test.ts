import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createdEntries } from '../../src/apply/created-folders.ts';
import { carryOutPurge, planPurge } from '../../src/apply/purge.ts';

const base = await mkdtemp(join(tmpdir(), 'owctl-purge-'));
after(() => rm(base, { recursive: true, force: true }));

describe('destroy --purge', () => {
  it('removes folders inside the project and keeps everything reached outside it', async () => {
    const project = join(base, 'project');
    const outside = join(base, 'outside');
    await mkdir(join(project, '.owctl', 'alice', 'workspace'), { recursive: true });
    await writeFile(join(project, '.owctl', 'alice', 'workspace', 'notes.txt'), 'x');
    await mkdir(join(outside, 'precious'), { recursive: true });
    await writeFile(join(outside, 'precious', 'keep.txt'), 'keep');
    await symlink(join(outside, 'precious'), join(project, 'escape'));
    await symlink(outside, join(project, '.owctl', 'alice', 'workspace', 'link-out'));
    await symlink(outside, join(project, 'via'));

    const sources = [join(project, '.owctl', 'alice', 'workspace'), join(project, 'escape'), join(project, 'via', 'precious'), join(outside, 'precious'), project, join(project, 'missing')];
    const items = await planPurge([{ name: 'alice', sources }], [], project, await createdEntries('alice', sources));
    assert.deepEqual(
      items.map((i) => [i.path.slice(base.length), i.delete, i.kind]),
      [
        ['/outside/precious', false, 'folder'],
        ['/project', false, 'folder'],
        ['/project/.owctl/alice/workspace', true, 'folder'],
        ['/project/escape', false, 'link'],
        ['/project/missing', false, null],
        ['/project/via/precious', false, 'folder'],
      ],
    );
    const outcomes = await carryOutPurge(items, project);
    assert.deepEqual(outcomes.filter((o) => o.removed).map((o) => o.path.slice(base.length)), ['/project/.owctl/alice/workspace']);
    assert.equal(existsSync(join(project, '.owctl', 'alice', 'workspace')), false);
    assert.equal(existsSync(join(outside, 'precious', 'keep.txt')), true, 'neither the link inside the folder nor the link itself is followed');
  });

  it('keeps what a survivor mounts: the same folder, a folder inside it, or a folder it is inside', async () => {
    const project = join(base, 'p2');
    for (const dir of ['.owctl/a/ws', '.owctl/shared', '.owctl/b/ws/sub']) await mkdir(join(project, dir), { recursive: true });
    await symlink(join(project, '.owctl', 'shared'), join(project, 'alias'));
    const at = (p: string) => join(project, p);
    const items = await planPurge(
      [{ name: 'a', sources: [at('.owctl/a/ws'), at('.owctl/shared'), at('.owctl/b/ws')] }],
      [
        { name: 'c', sources: [at('alias')] },
        { name: 'd', sources: [at('.owctl/b/ws/sub')] },
      ],
      project,
      await createdEntries('a', [at('.owctl/a/ws'), at('.owctl/shared'), at('.owctl/b/ws')]),
    );
    assert.deepEqual(
      items.map((i) => [i.path.slice(project.length), i.delete, i.reason]),
      [
        ['/.owctl/a/ws', true, undefined],
        ['/.owctl/b/ws', false, 'still mounted by d'],
        ['/.owctl/shared', false, 'still mounted by c'],
      ],
    );
    const parent = await planPurge([{ name: 'a', sources: [at('.owctl/a/ws')] }], [{ name: 'e', sources: [at('.owctl')] }], project, await createdEntries('a', [at('.owctl/a/ws')]));
    assert.equal(parent[0]?.reason, 'still mounted by e');
  });

  it('deletes only folders owctl recorded creating for a destroyed sandbox: a user folder another sandbox binds is kept', async () => {
    const project = join(base, 'p4');
    await mkdir(join(project, 'src'), { recursive: true });
    await writeFile(join(project, 'src', 'main.ts'), 'precious');
    await mkdir(join(project, '.owctl', 'a', 'data'), { recursive: true });
    const made = await createdEntries('a', [join(project, '.owctl', 'a', 'data')]);
    const items = await planPurge([{ name: 'a', sources: [join(project, '.owctl', 'a', 'data')] }, { name: 'by-hand', sources: [join(project, 'src')] }], [], project, made);
    assert.deepEqual(
      items.map((i) => [i.path.slice(project.length), i.delete, i.reason]),
      [
        ['/.owctl/a/data', true, undefined],
        ['/src', false, 'owctl did not create it (no record of owctl making it: it existed before, or was made again since, or by an owctl older than this record); delete it yourself if you mean to'],
      ],
    );
    await carryOutPurge(items, project);
    assert.equal(existsSync(join(project, 'src', 'main.ts')), true);
    // A record is for the sandbox it was made for: another sandbox binding that folder does not make it deletable.
    const other = await planPurge([{ name: 'b', sources: [join(project, 'src')] }], [], project, await createdEntries('a', [join(project, 'src')]));
    assert.equal(other[0]?.delete, false);
  });

  it('a folder removed and made again at the same path is not the folder owctl created (device, inode and birth time recorded)', async () => {
    const project = join(base, 'p5');
    const data = join(project, 'data');
    await mkdir(data, { recursive: true });
    const made = await createdEntries('a', [data]);
    // Nothing in between: ext4 hands the freed inode number out again at once, so the new folder usually has the
    // same device and inode as the one owctl made (a `destroy --purge` under load deleted such a folder).
    await rm(data, { recursive: true });
    await mkdir(data);
    await writeFile(join(data, 'mine.txt'), 'the user made this folder');
    const items = await planPurge([{ name: 'a', sources: [data] }], [], project, made);
    assert.equal(items[0]?.delete, false);
    await carryOutPurge(items, project);
    assert.equal(existsSync(join(data, 'mine.txt')), true);
  });

  it('keeps an entry that changed kind since the plan', async () => {
    const project = join(base, 'p3');
    await mkdir(join(project, 'ws'), { recursive: true });
    const items = await planPurge([{ name: 'a', sources: [join(project, 'ws')] }], [], project, await createdEntries('a', [join(project, 'ws')]));
    await rm(join(project, 'ws'), { recursive: true });
    await symlink(base, join(project, 'ws'));
    assert.deepEqual(await carryOutPurge(items, project), [{ path: join(project, 'ws'), removed: false, reason: 'changed since the plan was made' }]);
    assert.equal(existsSync(base), true);
  });
});
