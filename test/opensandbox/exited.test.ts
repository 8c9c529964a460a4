/**
 * A sandbox whose command exits becomes Failed (CONTAINER_EXITED_ERROR, "Sandbox container exited with code N.")
 * about a second after create answered Running. owctl stops waiting as soon as the server reports it, says what the
 * server said, and hints at what to check on this backend (never microsandbox's log path or port publishing).
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { assertValid, compileSchema } from '../helpers/json-schema.ts';
import { Project } from './project.ts';

const BROKEN = 'openwork:broken';

describe('opensandbox: a sandbox that exits after create', { timeout: 120_000 }, () => {
  let p: Project;
  before(async () => {
    p = await Project.start({ images: ['openwork:dev', BROKEN], exitingImages: { [BROKEN]: 127 } });
  });
  after(async () => {
    await p?.close();
  });

  it('Failed after create (exit code 127): apply fails at once with the server\'s reason and OpenSandbox hints', async () => {
    await p.write([{ name: 'alice', image: BROKEN }]);
    const file = join(p.dir, 'openwork.yaml');
    await writeFile(file, (await readFile(file, 'utf8')).replace('verify: { timeout: 60s }', 'verify: { timeout: 90s }'));
    const started = Date.now();
    const applied = await p.owctl(['apply', '--auto-approve']);
    const seconds = (Date.now() - started) / 1000;
    const text = applied.stdout + applied.stderr;
    assert.equal(applied.code, 1, text);
    assert.ok(seconds < 30, `failed after ${seconds} s, not after the 90 s verify timeout`);
    assert.match(text, /alice \([0-9a-f-]{36}\) is Failed \(CONTAINER_EXITED_ERROR: Sandbox container exited with code 127\.\), not Running/);
    assert.match(text, /docker logs/);
    assert.doesNotMatch(text, /openwork-server\.log|port published|nothing listens/);
  });
});

describe('opensandbox: owctl verify while a sandbox exits', { timeout: 120_000 }, () => {
  it('the sandbox that exited is one failed target (the server\'s reason, OpenSandbox hints), not an error for the whole run', async () => {
    const p = await Project.start();
    try {
      await p.write([{ name: 'alice' }]);
      // Running, but its server never answers; it exits while verification waits for /health.
      const id = await p.standin.seed({ 'owctl.dev/project': 'demo', 'owctl.dev/name': 'alice' });
      p.standin.exitOnRead(id, 1);
      const started = Date.now();
      const verified = await p.owctl(['verify', '--json', '--timeout', '90s']);
      assert.ok(Date.now() - started < 30_000, 'not after the 90 s timeout');
      assert.equal(verified.code, 1, verified.stdout + verified.stderr);
      const document = JSON.parse(verified.stdout);
      assertValid(compileSchema('verify.schema.json'), document, 'verify');
      const [alice] = document.targets;
      assert.equal(alice.target, 'alice');
      assert.match(alice.failed.message, /is Failed \(CONTAINER_EXITED_ERROR: Sandbox container exited with code 1\.\)/);
      assert.match(alice.failed.hint, /docker logs/);
    } finally {
      await p.close();
    }
  });
});
