/**
 * Small ways owctl used to answer badly: a deleted current folder (a Node stack trace), MSB_HOME naming a file
 * ("internal error"), and a YAML hint mangled by redaction (`[redacted]{VAR}`). Each now gets a plain error with
 * its fix, or its text intact.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { FakeProject } from './fake-msb.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'owctl.js');

describe('small robustness', () => {
  const projects: FakeProject[] = [];
  after(() => Promise.all(projects.map((p) => p.cleanup())));

  it('a current folder that was deleted: a plain error with the fix, no stack trace', { timeout: 60_000 }, async () => {
    const base = await mkdtemp(join(tmpdir(), 'owctl-gone-'));
    try {
      const gone = join(base, 'project');
      const result = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
        // `cd` into the folder first, then remove it, then run owctl there: exactly what a user's shell does.
        const child = spawn('/bin/sh', ['-c', `mkdir -p '${gone}' && cd '${gone}' && rmdir '${gone}' && exec "$0" '${BIN}' plan`, process.execPath], {
          env: { PATH: process.env.PATH, HOME: base, NO_COLOR: '1' },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stderr = '';
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        child.on('error', reject);
        child.on('exit', (code) => resolve({ code, stderr }));
      });
      assert.equal(result.code, 1, result.stderr);
      assert.match(result.stderr, /^error: the current folder no longer exists/m);
      assert.match(result.stderr, /^hint: .*cd /m);
      assert.doesNotMatch(result.stderr, /\n\s+at |uv_cwd|node:internal/, 'no stack trace');
    } finally {
      await rm(base, { recursive: true, force: true });
    }
  });

  it('MSB_HOME naming a file: msb.home_invalid with the fix, for apply, destroy, plan and status', async () => {
    const project = await FakeProject.create();
    projects.push(project);
    const file = join(project.dir, 'not-a-folder');
    await writeFile(file, 'x');
    for (const home of [file, join(file, 'below')]) {
      for (const args of [['apply', '--auto-approve'], ['destroy', '--auto-approve'], ['plan'], ['status']]) {
        const result = await project.owctl(args, { MSB_HOME: home });
        assert.equal(result.code, 1, `${args.join(' ')}: ${result.stderr}`);
        assert.doesNotMatch(result.stderr, /internal error/, args.join(' '));
        assert.match(result.stderr, /MSB_HOME .* is not a folder/, args.join(' '));
        assert.match(result.stderr, /hint: .*MSB_HOME/, args.join(' '));
      }
      const json = await project.owctl(['plan', '--json'], { MSB_HOME: home });
      assert.equal(JSON.parse(json.stdout).error.code, 'msb.home_invalid');
    }
  });

  it('a YAML hint that shows ${VAR} keeps it, in plan as in validate, and nothing masks "$"', async () => {
    const broken = 'version: 1\nproject: demo\nsandboxes:\n  alice:\n    image: openwork-microsandbox:dev\n    tokens: { client: ${OPENWORK_TOKEN}, host: "host-token-0123456789ab" }\n';
    const project = await FakeProject.create({}, broken);
    projects.push(project);
    for (const args of [['plan'], ['validate'], ['apply', '--auto-approve']]) {
      const result = await project.owctl(args);
      assert.equal(result.code, 1, result.stderr);
      assert.match(result.stderr, /quote values that use \$\{VAR\}: "\$\{VAR\}"/, `${args.join(' ')}: ${result.stderr}`);
      assert.doesNotMatch(result.stderr, /\[redacted\]/);
    }
    const github = await project.owctl(['plan'], { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: join(project.dir, 'summary.md') });
    assert.doesNotMatch(github.stderr, /::add-mask::\$\n/);
  });
});
