/** `owctl verify NAME`: nothing to verify fails at once; --timeout bounds the wait for declared sandboxes too. */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { freePort } from '../helpers/ports.ts';
import { FakeProject, MINIMAL_FILE, inspectJson } from './fake-msb.ts';

// A test bound far below the file's 120 s default wait: these must not wait for it.
const FAST = { timeout: 30_000 };

describe('owctl verify NAME', () => {
  let project: FakeProject | undefined;
  afterEach(() => project?.cleanup());

  it('fails at once for a sandbox that was never created', FAST, async () => {
    project = await FakeProject.create({ inspect: { stderr: 'error: sandbox not found: alice\n', exit: 1 } });
    const result = await project.owctl(['verify', 'alice']);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /sandbox alice does not exist/);
    assert.match(result.stdout, /hint: create it with `owctl apply --target alice`/);
  });

  it('fails at once for a stopped sandbox', FAST, async () => {
    project = await FakeProject.create({ inspect: { stdout: inspectJson('alice', { 'owctl.dev/project': 'demo' }) } });
    const result = await project.owctl(['verify', 'alice', '--json']);
    assert.equal(result.code, 1);
    assert.match(JSON.parse(result.stdout).targets[0].failed.message, /alice is Stopped/);
  });

  it('honours --timeout for a running sandbox, and says what it waits for', FAST, async () => {
    const port = await freePort();
    const file = MINIMAL_FILE.replace('18787', String(port));
    project = await FakeProject.create({ inspect: { stdout: inspectJson('alice', { 'owctl.dev/project': 'demo' }, port, 'Running') } }, file);
    const result = await project.owctl(['verify', 'alice', '--timeout', '1s', '--json']);
    assert.equal(result.code, 1);
    assert.match(JSON.parse(result.stdout).targets[0].failed.message, /connection refused\) after 1s/);
    assert.match(result.stderr, new RegExp(`alice: waiting for http://127\\.0\\.0\\.1:${port}/health: connection refused \\(\\d+s of 1s\\)`));
  });
});
