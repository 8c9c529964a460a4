/** apply converges from empty, changes nothing when in sync, updates, replaces, deletes; destroy owns only its own. */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { Project, freePort, get, json, tokens, type SandboxSpec, type Tokens } from './harness.ts';

const MUTATING = new Set(['create', 'run', 'start', 'stop', 'restart', 'rm', 'remove', 'modify', 'exec', 'load', 'pull']);

describe('apply converges live state to the file', () => {
  let project: Project;
  let alice: SandboxSpec & { tokens: Tokens };
  let bob: SandboxSpec & { tokens: Tokens };

  before(async () => {
    project = await Project.create('converge');
    alice = { name: 'alice', port: await freePort(), tokens: tokens('alice') };
    bob = { name: 'bob', port: await freePort(), tokens: tokens('bob') };
  });
  after(() => project.cleanup());

  it('creates every sandbox from empty, starts its server and verifies it like a remote client', async () => {
    await project.writeFile([alice, bob]);
    const result = await project.owctl(['apply', '--auto-approve']);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    for (const spec of [alice, bob]) {
      const live = await project.inspect(spec.name);
      assert.equal(live?.status, 'Running');
      assert.equal(live?.config.labels['owctl.dev/project'], 'converge');
      assert.equal(await get(`http://127.0.0.1:${spec.port}/health`), 200);
      assert.equal(await get(`http://127.0.0.1:${spec.port}/workspaces`), 401);
      assert.equal(await get(`http://127.0.0.1:${spec.port}/workspaces`, { authorization: `Bearer ${spec.tokens.client}` }), 200);
    }
    assert.match(result.stdout, /alice: verify:session ok/);
    assert.match(result.stdout, /Apply complete! 2 succeeded/);
    await project.assertNoSecrets(result.stdout, result.stderr);
  });

  it('never puts a token on any process command line', async () => {
    const cmdlines = readdirSync('/proc')
      .filter((entry) => /^\d+$/.test(entry))
      .map((pid) => {
        try {
          return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        } catch {
          return '';
        }
      });
    for (const secret of project.secrets) assert.ok(!cmdlines.some((line) => line.includes(secret)), 'a token is visible in /proc/*/cmdline');
    await project.assertNoSecrets();
  });

  it('changes nothing on a second apply: no mutating msb call', async () => {
    const before = (await project.msbCalls()).length;
    const result = await project.owctl(['apply', '--auto-approve']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /No changes\./);
    const calls = (await project.msbCalls()).slice(before);
    assert.deepEqual(calls.filter((argv) => MUTATING.has(argv[0] ?? '')), []);
    const plan = await project.owctl(['plan', '--detailed-exitcode']);
    assert.equal(plan.code, 0);
  });

  it('updates memory in place (same sandbox, restarted, server back)', async () => {
    const createdAt = (await project.inspect('alice'))?.config;
    alice.memory = '1G';
    await project.writeFile([alice, bob]);
    const plan = json(await project.owctl(['plan', '--json']));
    assert.deepEqual(plan.changes.map((c: any) => [c.sandbox, c.action]), [['alice', 'update'], ['bob', 'noop']]);
    const result = await project.owctl(['apply', '--auto-approve']);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const live = await project.inspect('alice');
    assert.equal(live?.config.resources.memory_mib, 1024);
    assert.equal(live?.config.name ?? 'alice', createdAt?.name ?? 'alice');
    assert.equal(await get(`http://127.0.0.1:${alice.port}/health`), 200);
  });

  it('replaces on a port change: old port closed, new port serves', async () => {
    const oldPort = bob.port;
    bob.port = await freePort();
    await project.writeFile([alice, bob]);
    const plan = json(await project.owctl(['plan', '--json']));
    const change = plan.changes.find((c: any) => c.sandbox === 'bob');
    assert.equal(change.action, 'replace');
    assert.ok(change.fields.some((f: any) => f.path.startsWith('ports[') && f.disposition === 'replace'));
    const result = await project.owctl(['apply', '--auto-approve']);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.equal((await project.inspect('bob'))?.config.network.ports[0].host_port, bob.port);
    assert.equal(await get(`http://127.0.0.1:${bob.port}/health`), 200);
    assert.equal(await get(`http://127.0.0.1:${oldPort}/health`), 0);
  });

  it('deletes a sandbox removed from the file, and only that one', async () => {
    await project.writeFile([alice]);
    const result = await project.owctl(['apply', '--auto-approve']);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.deepEqual(await project.names(), ['alice']);
    assert.equal(await get(`http://127.0.0.1:${bob.port}/health`), 0);
  });

  it('destroy removes what the project owns and leaves an unmanaged sandbox alone', async () => {
    const created = await project.msbRaw(['create', '--name', 'unmanaged', '--pull', 'never', '-m', '256M', 'openwork-microsandbox:dev']);
    assert.equal(created.code, 0, created.stderr);
    const refused = await project.owctl(['destroy']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /--auto-approve/);
    const result = await project.owctl(['destroy', '--auto-approve']);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.deepEqual(await project.names(), ['unmanaged']);
    assert.equal(await get(`http://127.0.0.1:${alice.port}/health`), 0);
    await project.assertNoSecrets(result.stdout, result.stderr);
  });
});
