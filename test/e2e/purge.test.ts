/**
 * destroy --purge deletes only what it showed, only folders owctl created for the sandboxes it destroys, never a
 * link's target, never a folder a surviving sandbox mounts. The sandboxes are made with msb directly (labelled as the
 * project's), so no server needs to boot; `made` records a folder the way owctl's create records the ones it makes.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { lstat, mkdir, readlink, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FolderRecord } from '../../src/apply/created-folders.ts';
import { IMAGE, Project, tokens } from './harness.ts';

let project: Project;

/** A sandbox of the project (or of nobody: `owner` null) binding `sources` (relative to the project folder). */
async function sandbox(name: string, sources: string[], owner: string | null = project.name): Promise<void> {
  const args = ['create', '--quiet', '--name', name, '--pull', 'never'];
  sources.forEach((source, index) => args.push('-v', `${join(project.dir, source)}:/m${index}`));
  if (owner !== null) args.push('--label', `owctl.dev/project=${owner}`);
  const created = await project.msbRaw([...args, IMAGE]);
  assert.equal(created.code, 0, created.stderr);
}

/** Records `sources` as folders owctl created for `name`, as its create does. */
async function made(name: string, sources: string[]): Promise<void> {
  await FolderRecord.forProject(project.name, project.env()).record(name, sources.map((source) => join(project.dir, source)));
}

async function file(path: string, text = 'x'): Promise<void> {
  await mkdir(join(project.dir, path, '..'), { recursive: true });
  await writeFile(join(project.dir, path), text);
}

describe('destroy --purge', () => {
  before(async () => {
    project = await Project.create('purge');
    await project.writeFile([{ name: 'sb1', port: 1, tokens: tokens('sb1') }]);
  });
  after(() => project.cleanup());

  it('leaves ./src that a sandbox owctl never created binds, though it carries the project label', async () => {
    await file('src/main.ts', 'precious');
    await file('.owctl/sb1/data/notes.txt');
    await made('sb1', ['.owctl/sb1/data']);
    await sandbox('sb1', ['.owctl/sb1/data']);
    await sandbox('stray', ['src']);
    const result = await project.owctl(['destroy', '--purge', '--auto-approve']);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.equal(existsSync(join(project.dir, 'src', 'main.ts')), true, 'the project folder ./src survives');
    assert.equal(existsSync(join(project.dir, '.owctl', 'sb1', 'data')), false, 'the folder owctl created for sb1 is purged');
    assert.match(result.stdout, /src: owctl did not create it/);
    assert.deepEqual(await project.names(), []);
  });

  it('keeps a symlinked bind source owctl did not create, and what it points to', async () => {
    await mkdir(join(project.dir, '.owctl', 'sb1'), { recursive: true });
    await symlink('../../src', join(project.dir, '.owctl', 'sb1', 'workspace'));
    await made('sb1', ['.owctl/sb1/workspace']);
    await sandbox('sb1', ['.owctl/sb1/workspace']);
    const result = await project.owctl(['destroy', '--purge', '--auto-approve']);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.equal(existsSync(join(project.dir, 'src', 'main.ts')), true, 'the link target survives');
    assert.equal((await lstat(join(project.dir, '.owctl', 'sb1', 'workspace'))).isSymbolicLink(), true, 'the link stays');
    assert.match(result.stdout, /\.owctl\/sb1\/workspace: owctl did not create it/);
  });

  it('keeps a folder another sandbox shares, and the parent folder another binds', async () => {
    await file('.owctl/shared/notes.txt');
    await file('.owctl/sb1/own/notes.txt');
    await made('sb1', ['.owctl/shared', '.owctl/sb1/own']);
    await sandbox('sb1', ['.owctl/shared', '.owctl/sb1/own']);
    await sandbox('sb2', ['.owctl/shared']);
    await sandbox('sb3', ['.owctl']);
    const result = await project.owctl(['destroy', '--purge', '--auto-approve', '--target', 'sb1']);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.equal(existsSync(join(project.dir, '.owctl', 'shared', 'notes.txt')), true, 'shared with sb2');
    assert.equal(existsSync(join(project.dir, '.owctl', 'sb1', 'own', 'notes.txt')), true, 'inside the folder sb3 binds');
    assert.match(result.stdout, /\.owctl\/shared: still mounted by sb2, sb3/);
    assert.match(result.stdout, /\.owctl\/sb1\/own: still mounted by sb3/);
    assert.deepEqual(await project.names(), ['sb2', 'sb3']);
    await project.msbRaw(['rm', '--force', 'sb2', 'sb3']);
  });

  it('keeps a folder that a sandbox of no project mounts', async () => {
    await file('.owctl/sb1/data/notes.txt');
    await made('sb1', ['.owctl/sb1/data']);
    await sandbox('sb1', ['.owctl/sb1/data']);
    await sandbox('by-hand', ['.owctl/sb1/data'], null);
    const result = await project.owctl(['destroy', '--purge', '--auto-approve']);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.equal(existsSync(join(project.dir, '.owctl', 'sb1', 'data', 'notes.txt')), true);
    assert.match(result.stdout, /still mounted by by-hand/);
    await project.msbRaw(['rm', '--force', 'by-hand']);
  });

  it('names every entry it will delete before deleting, in the plan and in the JSON stream', async () => {
    await file('.owctl/sb1/workspace-2/notes.txt');
    await made('sb1', ['.owctl/sb1/workspace-2']);
    await sandbox('sb1', ['.owctl/sb1/workspace-2']);
    const refused = await project.owctl(['destroy', '--purge']);
    assert.equal(refused.code, 1, 'no TTY, no --auto-approve');
    assert.match(refused.stdout, /--purge will delete 1 bind source:\n\s+- \S*\.owctl\/sb1\/workspace-2 \(the folder and everything in it\)/);
    assert.equal(existsSync(join(project.dir, '.owctl', 'sb1', 'workspace-2', 'notes.txt')), true);
    const result = await project.owctl(['destroy', '--purge', '--auto-approve', '--json']);
    const events = result.stdout.trim().split('\n').map((line) => JSON.parse(line));
    const planned = events.findIndex((e) => e.type === 'planned_purge');
    const removed = events.findIndex((e) => e.type === 'change_start');
    assert.ok(planned >= 0 && planned < removed, 'planned before anything is destroyed');
    assert.equal(events[planned].delete, true);
    assert.equal(events.find((e) => e.type === 'purge')?.removed, true);
    assert.equal(existsSync(join(project.dir, '.owctl', 'sb1', 'workspace-2')), false);
  });

  it('keeps containment: a bind source reached through a link out of the project is kept', async () => {
    const outside = join(project.dir, '..', `${project.name}-outside-${process.pid}`);
    await mkdir(join(outside, 'data'), { recursive: true });
    await writeFile(join(outside, 'data', 'keep.txt'), 'keep');
    await mkdir(join(project.dir, '.owctl', 'sb1'), { recursive: true });
    await symlink(outside, join(project.dir, '.owctl', 'sb1', 'out'));
    await sandbox('sb1', ['.owctl/sb1/out/data']);
    const result = await project.owctl(['destroy', '--purge', '--auto-approve']);
    assert.equal(result.code, 0);
    assert.equal(existsSync(join(outside, 'data', 'keep.txt')), true);
    assert.equal(await readlink(join(project.dir, '.owctl', 'sb1', 'out')), outside);
    assert.match(result.stdout, /outside the project folder/);
  });
});
