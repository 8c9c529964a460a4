/**
 * The README's first command: `npm run demo` takes a newcomer through apply → status → connect → verify → destroy on
 * this host (no registry, no CPU virtualisation), and leaves nothing behind.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const ROOT = join(import.meta.dirname, '..', '..');
const LIMIT_MS = 240_000;

describe('npm run demo', () => {
  it('is the README\'s first command and a package script', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const firstBlock = /```sh\n([\s\S]*?)\n```/.exec(readme)![1]!;
    assert.match(firstBlock, /^npm install && npm run demo\b/m);
    const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    assert.match(scripts.demo!, /scripts\/demo\.ts/);
  });

  it('applies, lists, pairs, verifies and destroys through the simulator, then removes its folder', { timeout: LIMIT_MS + 10_000 }, async () => {
    // Not through npm: the same script, without npm's own start-up.
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'demo.ts')], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGINT'), LIMIT_MS);
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    clearTimeout(timer);
    assert.equal(code, 0, `demo exited ${code} (stopped after ${LIMIT_MS / 1000} s if null):\n${output}`);
    const commands = [...output.matchAll(/^\$ (.*)$/gm)].map((m) => m[1]!.split(' ').slice(0, 2).join(' '));
    assert.deepEqual(commands, ['msb load', 'owctl apply', 'owctl status', 'owctl connect', 'owctl verify', 'owctl destroy']);
    assert.match(output, /Apply complete! 1 succeeded/);
    assert.match(output, /verified: a remote client can connect/);
    assert.match(output, /Destroy complete! 1 succeeded/);
    const dir = /owctl demo in (\S+)/.exec(output)![1]!;
    assert.equal(existsSync(dir), false, 'the demo folder is removed');
  });
});
