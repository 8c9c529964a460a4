import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
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
    const items = await planPurge([{ name: 'alice', sources }], [], project);
    assert.deepEqual(
      items.map((i) => [i.path.slice(base.length), i.delete, i.kind]),
      [
        ['/outside/precious', false, 'folder'],
        ['/project', false, 'folder'],
        ['/project/.owctl/alice/workspace', true, 'folder'],
        ['/project/escape', true, 'link'],
        ['/project/missing', false, null],
        ['/project/via/precious', false, 'folder'],
      ],
    );
    const outcomes = await carryOutPurge(items, project);
    assert.deepEqual(outcomes.filter((o) => o.removed).map((o) => o.path.slice(base.length)), ['/project/.owctl/alice/workspace', '/project/escape']);
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
    );
    assert.deepEqual(
      items.map((i) => [i.path.slice(project.length), i.delete, i.reason]),
      [
        ['/.owctl/a/ws', true, undefined],
        ['/.owctl/b/ws', false, 'still mounted by d'],
        ['/.owctl/shared', false, 'still mounted by c'],
      ],
    );
    const parent = await planPurge([{ name: 'a', sources: [at('.owctl/a/ws')] }], [{ name: 'e', sources: [at('.owctl')] }], project);
    assert.equal(parent[0]?.reason, 'still mounted by e');
  });

  it('keeps an entry that changed kind since the plan', async () => {
    const project = join(base, 'p3');
    await mkdir(join(project, 'ws'), { recursive: true });
    const items = await planPurge([{ name: 'a', sources: [join(project, 'ws')] }], [], project);
    await rm(join(project, 'ws'), { recursive: true });
    await symlink(base, join(project, 'ws'));
    assert.deepEqual(await carryOutPurge(items, project), [{ path: join(project, 'ws'), removed: false, reason: 'changed since the plan was made' }]);
    assert.equal(existsSync(base), true);
  });
});
