/** Without -f or OWCTL_FILE, owctl looks for openwork.yaml in the current folder, then in each parent, as compose does. */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../helpers/cli.ts';

const FILE = 'version: 1\nproject: found\nsandboxes:\n  a:\n    image: x:1\n    tokens: { client: client-token-0123456789, host: host-token-0123456789 }\n';

describe('finding openwork.yaml', () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'owctl-find-'));
    await mkdir(join(root, 'project', 'src', 'deep'), { recursive: true });
    await writeFile(join(root, 'project', 'openwork.yaml'), FILE);
  });
  after(() => rm(root, { recursive: true, force: true }));

  it('from a subfolder: the parent folder\'s file, named on stderr', async () => {
    const result = await runCli(['validate'], { cwd: join(root, 'project', 'src', 'deep'), env: {} });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /valid \(1 sandbox/);
    assert.equal(result.stderr, `using ${join('..', '..', 'openwork.yaml')} (found in a parent folder)\n`);
  });

  it('in the folder itself: no note', async () => {
    const result = await runCli(['validate'], { cwd: join(root, 'project'), env: {} });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, '');
  });

  it('-f and OWCTL_FILE are taken as given, never searched for', async () => {
    const cwd = join(root, 'project', 'src');
    const flag = await runCli(['-f', 'openwork.yaml', 'validate'], { cwd, env: {} });
    assert.equal(flag.code, 1);
    assert.match(flag.stderr, /config file not found: \S*project\/src\/openwork\.yaml\n/);
    assert.doesNotMatch(flag.stderr, /parent folder/);
    // commander reads OWCTL_FILE from the process's environment.
    process.env.OWCTL_FILE = 'openwork.yaml';
    try {
      const variable = await runCli(['validate'], { cwd, env: {} });
      assert.equal(variable.code, 1);
      assert.doesNotMatch(variable.stderr, /parent folder/);
    } finally {
      delete process.env.OWCTL_FILE;
    }
  });

  it('nowhere up to the root: the usual error, naming the current folder\'s file', async () => {
    const result = await runCli(['validate'], { cwd: root, env: {} });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /config file not found: \S*owctl-find-\w+\/openwork\.yaml/);
    assert.match(result.stderr, /nor in any parent folder/);
  });

  it('init writes into the current folder, never a parent\'s file', async () => {
    const cwd = join(root, 'project', 'src');
    const result = await runCli(['init'], { cwd, env: {} });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^wrote openwork\.yaml$/m);
  });
});
