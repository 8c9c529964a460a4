/**
 * The OpenWork server's life across owctl's changes: msb stop SIGKILLs a server that outlived its exec (no SIGTERM),
 * so owctl asks it to stop first — before a restart, a replacement and a destroy — and says so. The fixture writes
 * one line per stop signal to a host file that outlives the sandbox.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Project, SIMULATOR_ONLY, freePort, get, tokens, type SandboxSpec, type Tokens } from './harness.ts';

describe('the server gets SIGTERM before its sandbox stops', { skip: SIMULATOR_ONLY }, () => {
  let project: Project;
  let alice: SandboxSpec & { tokens: Tokens };
  let signals: string;
  const env = () => ({ MSB_SIM_FIXTURE_SIGNAL_LOG: signals });
  const received = async () => (await readFile(signals, 'utf8').catch(() => '')).split('\n').filter(Boolean);

  before(async () => {
    // Its own OpenCode per boot: the server's stop includes stopping its OpenCode, and owctl's wait for that stop
    // must cover it.
    project = await Project.create('serverlife', { opencode: 'own' });
    signals = join(project.dir, 'signals.log');
    alice = { name: 'alice', port: await freePort(), tokens: tokens('alice') };
    await project.writeFile([alice]);
    const created = await project.owctl(['apply', '--auto-approve'], env());
    assert.equal(created.code, 0, created.stdout + created.stderr);
  });
  after(() => project.cleanup());

  it('msb stop alone gives the server no SIGTERM (the reason owctl stops it first)', async () => {
    assert.equal((await project.msbRaw(['stop', 'alice'])).code, 0);
    assert.deepEqual(await received(), []);
    const restarted = await project.owctl(['apply', '--auto-approve'], env());
    assert.equal(restarted.code, 0, restarted.stdout + restarted.stderr);
  });

  it('an update that restarts the sandbox stops the server first', async () => {
    alice.memory = '1G';
    await project.writeFile([alice]);
    const result = await project.owctl(['apply', '--auto-approve'], env());
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /alice: asked the OpenWork server to stop \(SIGTERM\); it exited after \d+\.\d s/);
    assert.deepEqual(await received(), ['alice SIGTERM']);
  });

  it('a replacement stops the old server first, then the new one serves', async () => {
    alice.port = await freePort();
    await project.writeFile([alice]);
    const result = await project.owctl(['apply', '--auto-approve'], env());
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /alice: asked the OpenWork server to stop \(SIGTERM\)/);
    assert.deepEqual(await received(), ['alice SIGTERM', 'alice SIGTERM']);
    assert.equal(await get(`http://127.0.0.1:${alice.port}/health`), 200);
  });

  it('destroy stops the server first, and says so in --json events too', async () => {
    const result = await project.owctl(['destroy', '--auto-approve', '--json'], env());
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const events = result.stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line));
    const stop = events.find((e) => e.type === 'step_finish' && e.step === 'stop-server');
    assert.equal(stop?.ok, true);
    assert.match(stop?.message ?? '', /asked the OpenWork server to stop \(SIGTERM\)/);
    assert.deepEqual(await received(), ['alice SIGTERM', 'alice SIGTERM', 'alice SIGTERM']);
    assert.deepEqual(await project.names(), []);
  });
});
