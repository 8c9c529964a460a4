/**
 * `status` on OpenSandbox: the server cannot report resources, and reads the image back as Docker's first tag. The
 * row shows what the file declared for those, marked as declared, and `status --json` matches its schema.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertValid, compileSchema } from '../helpers/json-schema.ts';
import { IMAGE, Project } from './project.ts';

describe('opensandbox status', { timeout: 120_000 }, () => {
  let p: Project;
  before(async () => {
    p = await Project.start({ firstTags: { [IMAGE]: 'registry.local/openwork:latest' } });
    await p.write([{ name: 'alice', memory: '1G' }]);
    const applied = await p.owctl(['apply', '--auto-approve']);
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
  });
  after(async () => {
    await p?.close();
  });

  it('status --json: resources and image as the file declared them (image.uri reads back as Docker\'s first tag), marked, valid against status.schema.json', async () => {
    const status = await p.owctl(['status', '--json']);
    assert.equal(status.code, 0, status.stderr);
    const document = JSON.parse(status.stdout);
    assertValid(compileSchema('status.schema.json'), document, 'status');
    const [row] = document.sandboxes;
    assert.deepEqual([row.image, row.cpus, row.memory, row.declared_fields], [IMAGE, 2, '1G', ['cpus', 'image', 'memory']]);
  });

  it('status: the table marks the declared values and says why', async () => {
    const status = await p.owctl(['status']);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /openwork:dev\*/);
    assert.match(status.stdout, /1G\*/);
    assert.doesNotMatch(status.stdout, /\b0G\b/);
    assert.match(status.stdout, /\* as declared in the file: this backend cannot report it/);
  });
});
