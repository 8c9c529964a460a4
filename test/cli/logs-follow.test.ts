/** `owctl logs NAME -f` follows, as in docker compose and kubectl; the global `-f FILE` still works before the verb. */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FakeProject, MINIMAL_FILE, inspectJson } from './fake-msb.ts';

describe('owctl logs -f', () => {
  let project: FakeProject;
  before(async () => {
    // A running sandbox of the project: logs reads only from a running one (exec would boot a stopped one).
    project = await FakeProject.create({ exec: { stdout: 'server line\n' }, inspect: { stdout: inspectJson('alice', { 'owctl.dev/project': 'demo' }, 18787, 'Running') } });
    await writeFile(join(project.dir, 'other.yaml'), MINIMAL_FILE.replace('18787', '18788'));
  });
  after(() => project.cleanup());

  const tailArgs = async () => {
    const calls = (await project.calls()).filter((argv) => argv[0] === 'exec');
    return calls.at(-1)?.slice(calls.at(-1)!.indexOf('--') + 1) ?? [];
  };

  it('follows the server log with -f after the name, alone or with --tail', async () => {
    const follow = await project.owctl(['logs', 'alice', '-f']);
    assert.equal(follow.code, 0, follow.stderr);
    assert.equal(follow.stdout, 'server line\n');
    assert.ok((await tailArgs()).includes('-F'), 'tail follows');
    const tailed = await project.owctl(['logs', 'alice', '-f', '--tail', '2']);
    assert.equal(tailed.code, 0, tailed.stderr);
    assert.deepEqual((await tailArgs()).slice(0, 4), ['tail', '-n', '2', '-F']);
    const long = await project.owctl(['logs', 'alice', '--follow']);
    assert.equal(long.code, 0, long.stderr);
  });

  it('keeps -f FILE before the verb, and --file after it', async () => {
    const global = await project.owctl(['-f', 'other.yaml', 'logs', 'alice', '-f']);
    assert.equal(global.code, 0, global.stderr);
    assert.ok((await tailArgs()).includes('-F'));
    const long = await project.owctl(['logs', 'alice', '--file', 'other.yaml']);
    assert.equal(long.code, 0, long.stderr);
    assert.ok(!(await tailArgs()).includes('-F'), 'no follow without -f');
  });

  it('still takes -f FILE after other verbs', async () => {
    const validate = await project.owctl(['validate', '-f', 'other.yaml', '--json']);
    assert.equal(validate.code, 0, validate.stderr);
    const missing = await project.owctl(['validate', '-f', 'nope.yaml']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /nope\.yaml/);
  });
});
