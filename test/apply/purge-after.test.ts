/** After the destroy ran: a sandbox that failed to go keeps its folders, and nothing unshown is deleted. */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createdEntries } from '../../src/apply/created-folders.ts';
import { purgeAfter, purgeFor } from '../../src/commands/purge-scope.ts';
import type { MountSpec } from '../../src/model/desired.ts';
import { observedFrom } from '../helpers/states.ts';
import { desiredSandbox } from '../helpers/states.ts';

const project = await mkdtemp(join(tmpdir(), 'owctl-purge-after-'));
after(() => rm(project, { recursive: true, force: true }));

const bind = (source: string): MountSpec => ({ type: 'bind', source: join(project, source), target: `/${source.replaceAll('/', '_')}`, readonly: false });
const sandbox = (name: string, sources: string[]) => observedFrom('demo', { ...desiredSandbox(name), mounts: sources.map(bind) });

describe('purge after destroy', () => {
  it('keeps the folders of a sandbox that failed to go, and those it shares', async () => {
    for (const dir of ['a/ws', 'b/ws', 'shared']) await mkdir(join(project, dir), { recursive: true });
    const all = [sandbox('a', ['a/ws', 'shared']), sandbox('b', ['b/ws', 'shared'])];
    const context = { created: [...(await createdEntries('a', [join(project, 'a/ws'), join(project, 'shared')])), ...(await createdEntries('b', [join(project, 'b/ws')]))], declared: [] };
    const shown = await purgeFor(new Set(['a', 'b']), all, project, context);
    assert.deepEqual(shown.map((i) => i.delete), [true, true, true]);
    const now = await purgeAfter(new Set(['a']), all, shown, project, context);
    assert.deepEqual(
      now.map((i) => [i.path.slice(project.length), i.delete, i.reason]),
      [
        ['/a/ws', true, undefined],
        ['/b/ws', false, 'its sandbox was not destroyed'],
        ['/shared', false, 'still mounted by b'],
      ],
    );
  });

  it('never deletes what the shown plan kept', async () => {
    await mkdir(join(project, 'c/ws'), { recursive: true });
    const all = [sandbox('c', ['c/ws']), sandbox('d', ['c/ws'])];
    const context = { created: await createdEntries('c', [join(project, 'c/ws')]), declared: [] };
    const shown = await purgeFor(new Set(['c']), all, project, context);
    assert.equal(shown[0]?.delete, false);
    // d went away meanwhile (not by this destroy): the folder is still not deleted, as it was not shown.
    const now = await purgeAfter(new Set(['c', 'd']), all, shown, project, context);
    assert.deepEqual(now.map((i) => [i.delete, i.reason]), [[false, 'not in the plan shown']]);
  });
});
