/**
 * How owctl runs msb when msb misbehaves: a call ends when msb exits (not when its pipes close), a hung call is
 * stopped with SIGTERM then SIGKILL of its whole process group, output is bounded, and msb runs in a process
 * group of its own (a terminal's Ctrl-C reaches owctl, not the msb calls in flight).
 * Each case has a test-level timeout: on the old code they hung forever.
 */
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { OwctlError } from '../../src/errors.ts';
import { Msb } from '../../src/msb/driver.ts';
import { callLabel, processSpawner } from '../../src/msb/run.ts';

let dir: string;

async function script(name: string, body: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, `#!/bin/sh\n${body}\n`);
  await chmod(path, 0o755);
  return path;
}

/** Running (a killed process may stay a zombie until its new parent reaps it: that counts as gone). */
async function alive(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  return stat !== '' && stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
}

/** The process group of `pid`, from /proc (field 5 of stat, after the parenthesised command). */
async function pgidOf(pid: number | 'self'): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
}

const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };

describe('running msb', { timeout: 60_000 }, () => {
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'owctl-run-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('ends a call when msb exits, even if a process it left behind still holds its output', async () => {
    // The background sleep inherits stdout and stderr: the pipes stay open for 300 s after msb has exited.
    const msb = await script('leaves-child', `sleep 300 &\necho "$!" > '${dir}/leftover.pid'\necho '{"kind":"local","source":"default"}'\nexit 0`);
    const result = await processSpawner.run({ file: msb, args: ['context'], env, timeoutMs: 30_000 });
    assert.equal(result.exitCode, 0);
    assert.equal(result.timedOut, false);
    assert.match(result.stdout, /"kind":"local"/);
    process.kill(Number(await readFile(join(dir, 'leftover.pid'), 'utf8')), 'SIGKILL');
  });

  it('stops a hung call that ignores SIGTERM: SIGKILL to its whole process group, and says which call after how long', async () => {
    const msb = await script('ignores-term', `trap '' TERM\nsleep 300 &\necho "$!" > '${dir}/grandchild.pid'\nwhile :; do sleep 1; done`);
    const driver = new Msb(msb, env, { timeouts: { query: 300, lifecycle: 300 }, killGraceMs: 300 });
    // A call that changes state leads its own group: what it left behind goes with it.
    const error = await driver.start('alice').then(
      () => assert.fail('expected a timeout'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof OwctlError);
    assert.equal(error.code, 'msb.failed');
    assert.match(error.message, /^msb start alice did not exit within 0\.3 s; owctl stopped it after \d+(\.\d)? s \(SIGTERM, then SIGKILL\)/);
    assert.equal(error.details?.timedOut, true);
    assert.match(error.hint ?? '', /owctl doctor/);
    const grandchild = Number(await readFile(join(dir, 'grandchild.pid'), 'utf8'));
    assert.equal(await alive(grandchild), false, 'the process msb left behind is killed with its group');
    // A read shares owctl's group (see ownGroup in run.ts): msb itself is stopped the same way, owctl does not hang.
    const read = await driver.inspect('alice').then(
      () => assert.fail('expected a timeout'),
      (e: unknown) => e,
    );
    assert.ok(read instanceof OwctlError);
    assert.match(read.message, /^msb inspect alice did not exit within 0\.3 s; owctl stopped it after \d+(\.\d)? s \(SIGTERM, then SIGKILL\)/);
    const leftover = Number(await readFile(join(dir, 'grandchild.pid'), 'utf8'));
    process.kill(leftover, 'SIGKILL');
  });

  it('bounds what it reads from msb: a flood on stdout or stderr fails clearly as msb.bad_output', async () => {
    const flood = (fd: string) => script(`flood-${fd}`, `while :; do echo 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' >&${fd}; done`);
    for (const [fd, stream] of [['1', 'stdout'], ['2', 'stderr']] as const) {
      const driver = new Msb(await flood(fd), env, { maxOutputBytes: 1 << 20 });
      await assert.rejects(driver.list(), (error: unknown) => {
        assert.ok(error instanceof OwctlError);
        assert.equal(error.code, 'msb.bad_output');
        assert.equal(error.message, `msb ls wrote more than 1 MiB on ${stream}; owctl stopped it`);
        assert.match(error.hint ?? '', /--msb|OWCTL_MSB/);
        return true;
      });
    }
  });

  it('runs msb in a process group of its own, so a terminal Ctrl-C does not reach it', async () => {
    const msb = await script('pgid', 'cut -d" " -f5 /proc/$$/stat\necho $$');
    const result = await processSpawner.run({ file: msb, args: [], env, timeoutMs: 30_000 });
    const [pgid, pid] = result.stdout.trim().split('\n').map(Number);
    assert.equal(pgid, pid, 'msb leads its own process group');
    assert.notEqual(pgid, await pgidOf('self'));
    // Reads stay in owctl's group: the real msb 0.6.18 hung in `inspect` now and then when it led a session.
    const read = await processSpawner.run({ file: msb, args: ['inspect', 'alice'], env, timeoutMs: 30_000 });
    assert.equal(Number(read.stdout.trim().split('\n')[0]), await pgidOf('self'));
  });

  it('names a call by its subcommand and positional arguments, never flag values', () => {
    assert.equal(callLabel(['inspect', 'alice', '--format', 'json']), 'inspect alice');
    assert.equal(callLabel(['image', 'inspect', 'repo/img:1', '--format', 'json']), 'image inspect repo/img:1');
    assert.equal(callLabel(['create', '--quiet', '--name', 'a1', '--conf', '/tmp/x.json']), 'create a1');
    assert.equal(callLabel(['rm', '--force', 'a1']), 'rm a1');
    assert.equal(callLabel(['exec', 'a1', '--', '/bin/sh', '-c', 'secret-ish']), 'exec a1');
    assert.equal(callLabel(['ls', '--format', 'json', '--label=owctl.dev/project=p']), 'ls');
    assert.equal(callLabel(['modify', 'a1', '--env', 'K=V', '--cpus', '2']), 'modify a1');
  });
});
