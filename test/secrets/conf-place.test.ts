/**
 * Private conf files live in one place per user, whatever TMPDIR a run has: a file stranded by a run killed
 * outright (SIGKILL) is removed by the next run even when that run has another TMPDIR.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { lstat, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { it } from 'node:test';
import { confRoot } from '../../src/msb/conf.ts';

const CONF = join(import.meta.dirname, '..', '..', 'src', 'msb', 'conf.ts');

// Stands in for an owctl killed outright while msb reads its conf file: it prints the path, then SIGKILLs itself.
const KILLED = `
import { withConfFile } from ${JSON.stringify(CONF)};
await withConfFile({ document: { env: { OPENWORK_TOKEN: 'tok-killed-0123456789' } }, env: {} }, async (path) => {
  console.log('CONF=' + path);
  process.kill(process.pid, 'SIGKILL');
  await new Promise(() => undefined);
});
`;

it('a conf file left by SIGKILL under one TMPDIR is swept by a run under another', { timeout: 60_000 }, async () => {
  const first = await mkdtemp(join(tmpdir(), 'owctl-tmpdir-a-'));
  const second = await mkdtemp(join(tmpdir(), 'owctl-tmpdir-b-'));
  try {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', KILLED], { env: { ...process.env, TMPDIR: first }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const signal = await new Promise((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
    assert.equal(signal, 'SIGKILL');
    const path = /CONF=(.+)/.exec(out)?.[1];
    assert.ok(path, out);
    assert.equal(existsSync(path), true, 'SIGKILL strands it');
    assert.equal(dirname(dirname(path)), confRoot(), 'in the per-user place, not under the run’s TMPDIR');
    assert.deepEqual((await readdir(first)).filter((name) => name.startsWith('owctl-conf-')), []);
    const root = await lstat(confRoot());
    assert.equal(root.mode & 0o777, 0o700, 'the place is private');
    assert.equal(root.uid, process.getuid!());
    // The next run, with another TMPDIR, sweeps it.
    const sweeper = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', `import { sweepStrayConfs } from ${JSON.stringify(CONF)}; await sweepStrayConfs();`], {
      env: { ...process.env, TMPDIR: second },
      stdio: 'inherit',
    });
    assert.equal(await new Promise((resolve) => sweeper.on('exit', resolve)), 0);
    assert.equal(existsSync(dirname(path)), false, 'the next run removed it');
  } finally {
    await rm(first, { recursive: true, force: true });
    await rm(second, { recursive: true, force: true });
  }
});

