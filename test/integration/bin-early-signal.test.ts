/**
 * A signal that comes early in a run is owctl's like any later one: exit 128 + its number (130 SIGINT, 143 SIGTERM,
 * 129 SIGHUP) with the interruption named, never death by the default handler. Each signal is sent at three early
 * points of the built program (bin/owctl.js): the moment the bundle is asked for, while it loads (held back by a
 * preloaded hook on its read, which stands for a slow disk or a loaded host), and just after it has loaded, while owctl waits for
 * its first msb call.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { eventually } from '../e2e/harness.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'owctl.js');
const CODES = { SIGINT: 130, SIGHUP: 129, SIGTERM: 143 } as const;
type Point = 'asked' | 'loading' | 'loaded';
const HOLD_MS = 1500;

describe('a signal early in a run', () => {
  let base: string;
  before(async () => {
    base = await mkdtemp(join(tmpdir(), 'owctl-early-signal-'));
  });
  after(() => rm(base, { recursive: true, force: true }));

  /**
   * One run of `owctl plan` (or of `owctl validate`, whose plain form loads a script of its own, validate.cjs):
   * signalled at `point`, it must exit with the signal's code and name it.
   */
  async function signalAt(point: Point, signal: keyof typeof CODES, verb: 'plan' | 'validate' = 'plan'): Promise<void> {
    const dir = await mkdtemp(join(base, `${verb}-${point}-${signal}-`));
    const script = verb === 'validate' ? 'validate.cjs' : 'owctl.cjs';
    const asked = join(dir, 'asked');
    const msbCalled = join(dir, 'msb-called');
    // A script preloaded with --require marks the moment bin/owctl.js opens the bundle, then holds the read back
    // (the main thread blocks there, as on a slow disk).
    const hold = join(dir, 'hold.cjs');
    await writeFile(
      hold,
      `const fs = require('node:fs');\n` +
        `const open = fs.openSync;\n` +
        `fs.openSync = function (path, ...rest) {\n` +
        `  if (String(path).endsWith('/dist/bundle/${script}')) { fs.writeFileSync(${JSON.stringify(asked)}, ''); Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ${HOLD_MS}); }\n` +
        `  return open.call(this, path, ...rest);\n};\n`,
    );
    // msb's first call marks that owctl is past loading, then outlasts the test (its pid is kept: the test ends it).
    const msb = join(dir, 'msb');
    await writeFile(msb, `#!/bin/sh\necho $$ > '${msbCalled}'\nexec sleep 60\n`);
    await chmod(msb, 0o755);
    await writeFile(join(dir, 'openwork.yaml'), 'version: 1\nproject: demo\nsandboxes:\n  alice:\n    image: openwork-microsandbox:dev\n    tokens: { client: "client-token-0123456789", host: "host-token-0123456789ab" }\n');
    const child = spawn(process.execPath, ['--require', hold, BIN, verb], {
      cwd: dir,
      env: { PATH: process.env.PATH, HOME: dir, NO_COLOR: '1', OWCTL_MSB: msb, MSB_HOME: join(dir, 'msb-home') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, sig) => resolve({ code, signal: sig })));
    try {
      await eventually(async () => existsSync(asked), 30_000, 'the bundle to be asked for');
      if (point === 'loading') await new Promise((resolve) => setTimeout(resolve, HOLD_MS / 2));
      if (point === 'loaded') await eventually(async () => existsSync(msbCalled), 30_000, 'the first msb call');
      child.kill(signal);
      const { code, signal: killedBy } = await exit;
      assert.equal(killedBy, null, `${point}, ${signal}: killed by ${killedBy}: the default handler ran`);
      assert.equal(code, CODES[signal], `${point}, ${signal}: ${stderr}`);
      assert.match(stderr, new RegExp(`interrupted by ${signal}`), `${point}, ${signal}`);
    } finally {
      child.kill('SIGKILL');
      // The stand-in msb is ended here rather than waited out: whether owctl stops its msb on a signal is not this
      // file's fact. Its pid file is written before the `exec`, so the pid may still be the shell's: same process.
      const pid = Number(await readFile(msbCalled, 'utf8').catch(() => ''));
      if (pid > 0) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
        await eventually(async () => !alive(pid), 10_000, 'the stand-in msb to end');
      }
    }
  }

  for (const [index, point] of (['asked', 'loading', 'loaded'] as const).entries()) {
    it(`at the point "${point}": SIGINT, SIGTERM and SIGHUP each exit 128 + its number, saying so`, { timeout: 120_000 }, async () => {
      // Each signal at this point, in a rotated order, three runs at once.
      const signals = (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((_, i, all) => all[(i + index) % all.length]!);
      await Promise.all(signals.map((signal) => signalAt(point, signal)));
    });
  }

  it('validate\'s own script, while it loads: SIGINT, SIGTERM and SIGHUP each exit 128 + its number, saying so', { timeout: 120_000 }, async () => {
    await Promise.all((['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((signal) => signalAt('loading', signal, 'validate')));
  });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
