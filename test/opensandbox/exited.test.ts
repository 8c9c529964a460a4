/**
 * A sandbox whose command exits becomes Failed (CONTAINER_EXITED_ERROR, "Sandbox container exited with code N.")
 * about a second after create answered Running. owctl stops waiting as soon as the server reports it, says what the
 * server said, and hints at what to check on this backend (never microsandbox's log path or port publishing).
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
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
