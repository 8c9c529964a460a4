import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { purgeFolders } from '../../src/apply/purge.ts';

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

    const outcomes = await purgeFolders(
      [join(project, '.owctl', 'alice', 'workspace'), join(project, 'escape'), join(outside, 'precious'), project, join(project, 'missing')],
      project,
    );
    assert.deepEqual(
      outcomes.map((o) => [o.path.slice(base.length), o.removed]),
      [['/outside/precious', false], ['/project', false], ['/project/.owctl/alice/workspace', true], ['/project/escape', false], ['/project/missing', false]],
    );
    assert.equal(existsSync(join(project, '.owctl', 'alice', 'workspace')), false);
    assert.equal(existsSync(join(outside, 'precious', 'keep.txt')), true);
  });
});
