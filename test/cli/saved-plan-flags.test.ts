/** `apply PLANFILE` applies exactly the saved plan: planning flags with it are refused before anything runs. */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FakeProject } from './fake-msb.ts';

describe('owctl apply PLANFILE with planning flags', () => {
  let project: FakeProject;
  before(async () => {
    project = await FakeProject.create();
    const plan = { format_version: '1.1', kind: 'owctl-saved-plan', file: join(project.dir, 'openwork.yaml'), targets: [], plan: {}, fingerprints: { desired: '', observed: {} } };
    await writeFile(join(project.dir, 'plan.json'), JSON.stringify(plan));
  });
  after(() => project.cleanup());

  it('refuses --target, naming the flag, and calls no msb', async () => {
    const result = await project.owctl(['apply', 'plan.json', '--target', 'other']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /error: --target cannot be used with a saved plan/);
    assert.match(result.stderr, /hint: .*owctl plan --target other -o plan\.json/);
    assert.deepEqual(await project.calls(), []);
  });
});
