/** Waiting for the project lock is never silent: owctl says once who holds it and since when, then waits. */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { acquireLock } from '../../src/apply/lock.ts';
import type { CommandIO } from '../../src/commands/io.ts';
import { lockProject } from '../../src/commands/project-lock.ts';
import type { DesiredState } from '../../src/model/desired.ts';

const dir = await mkdtemp(join(tmpdir(), 'owctl-lock-wait-'));
after(() => rm(dir, { recursive: true, force: true }));
const home = join(dir, 'msb-home');

describe('waiting for the project lock', () => {
  it('says who holds it (pid, host, command) and since when, once, before waiting; nothing when it is free', async () => {
    const held = await acquireLock({ project: 'waiting', msbHome: home, command: 'destroy', timeoutMs: 0 });
    let stderr = '';
    const io: CommandIO = { stdout: () => undefined, stderr: (text) => void (stderr += text), env: { MSB_HOME: home }, cwd: dir, interactive: false, color: false };
    const desired = { project: 'waiting' } as DesiredState;
    const released = new Promise((resolve) => setTimeout(resolve, 600)).then(() => held.release());
    const release = await lockProject(desired, io, 'apply', 10_000);
    await released;
    await release();
    const lines = stderr.split('\n').filter(Boolean);
    assert.equal(lines.length, 1, stderr);
    assert.match(lines[0]!, new RegExp(`^waiting up to 10 s for the project lock: pid ${process.pid} on ${hostname()} \\(owctl destroy\\) holds it since \\d\\d:\\d\\d:\\d\\d`));

    stderr = '';
    const free = await lockProject(desired, io, 'apply', 10_000);
    await free();
    assert.equal(stderr, '');
  });
});
