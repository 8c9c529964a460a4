/**
 * A signal that comes while owctl is still loading (the bundle takes tens of milliseconds to load, longer on a busy
 * machine) is owctl's like any other: exit 130 saying so, not death by the default handler. The load is slowed
 * here by a module hook that holds the bundle back, so the signal lands in that window every time.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { it } from 'node:test';
import { eventually } from '../e2e/harness.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'owctl.js');

it('a SIGTERM while the CLI loads: exit 130 with the interruption named, not killed by the signal', { timeout: 60_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'owctl-early-signal-'));
  try {
    const marker = join(dir, 'loading');
    // The hook runs on the loader thread: it marks the moment the bundle is asked for, then holds it back 2 s.
    const hooks = join(dir, 'hooks.mjs');
    await writeFile(
      hooks,
      `import { writeFileSync } from 'node:fs';\n` +
        `export async function load(url, context, next) {\n` +
        `  if (url.endsWith('/dist/bundle/run.js')) { writeFileSync(${JSON.stringify(marker)}, ''); await new Promise((r) => setTimeout(r, 2000)); }\n` +
        `  return next(url, context);\n}\n`,
    );
    const register = join(dir, 'register.mjs');
    await writeFile(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
    const child = spawn(process.execPath, ['--import', pathToFileURL(register).href, BIN, 'plan'], { cwd: dir, env: { PATH: process.env.PATH, HOME: dir, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    await eventually(async () => existsSync(marker), 30_000, 'the bundle to be loading');
    child.kill('SIGTERM');
    const { code, signal } = await exit;
    assert.equal(signal, null, `killed by ${signal}: the default handler ran`);
    assert.equal(code, 130, stderr);
    assert.match(stderr, /interrupted by SIGTERM/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
