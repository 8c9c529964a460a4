/** `owctl connect NAME` only pairs with a sandbox that exists and belongs to the project. */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { FakeProject, inspectJson } from './fake-msb.ts';

describe('owctl connect', () => {
  let project: FakeProject | undefined;
  afterEach(() => project?.cleanup());

  it('says a declared sandbox that was never created does not exist, exit 1, and prints no URL', async () => {
    project = await FakeProject.create({ inspect: { stderr: 'error: sandbox not found: alice\n', exit: 1 } });
    const result = await project.owctl(['connect', 'alice']);
    assert.equal(result.code, 1);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /error: sandbox alice does not exist/);
    assert.match(result.stderr, /hint: .*owctl apply/);
    const json = await project.owctl(['connect', 'alice', '--json']);
    assert.equal(json.code, 1);
    assert.equal(JSON.parse(json.stdout).error.code, 'msb.sandbox_not_found');
  });

  it('refuses a sandbox of that name owned by someone else', async () => {
    project = await FakeProject.create({ inspect: { stdout: inspectJson('alice', { 'owctl.dev/project': 'other' }) } });
    const result = await project.owctl(['connect', 'alice']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /error: .*alice.*not .*project "demo"/);
  });

  it('prints the pairing details of an existing sandbox', async () => {
    project = await FakeProject.create({ inspect: { stdout: inspectJson('alice', { 'owctl.dev/project': 'demo' }) } });
    const result = await project.owctl(['connect', 'alice']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /URL: +http:\/\/127\.0\.0\.1:18787/);
  });
});
