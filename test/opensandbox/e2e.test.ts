/**
 * owctl on the opensandbox backend, end to end through the test-only OpenSandbox stand-in, whose sandboxes run the
 * OpenWork server fixture: what a team sees when it points the same openwork.yaml at an OpenSandbox server.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createRequire } from 'node:module';
import { spawn } from 'node:child_process';
import { eventually } from '../e2e/harness.ts';
import { builtOwctl } from '../helpers/built-cli.ts';
import { assertValid, compileSchema } from '../helpers/json-schema.ts';
import { API_KEY, IMAGE_V2, Project, assertNoSecrets, mutating } from './project.ts';

const require = createRequire(import.meta.url);

function planSchemaErrors(document: unknown): unknown[] {
  const { Ajv2020 } = require('ajv/dist/2020.js');
  const validate = new Ajv2020({ strict: false, allErrors: true }).compile(require('../../schemas/plan.schema.json'));
  return validate(document) ? [] : validate.errors;
}

describe('opensandbox backend end to end', { timeout: 600_000 }, () => {
  let p: Project;
  const outputs: string[] = [];
  const run = async (args: string[], extra: NodeJS.ProcessEnv = {}) => {
    const result = await p.owctl(args, extra);
    outputs.push(result.stdout, result.stderr);
    return result;
  };
  before(async () => {
    // Fidelity: the servers proxy to the stand-in of OpenCode's routes (the stand-in's default), not a real OpenCode:
    // these facts are the backend's. The real OpenCode behind the fixture is proven in test/fixture/, and the stand-in's
    // routes against it in test/fixture/event-stream.test.ts.
    p = await Project.start();
  });
  after(async () => {
    await p.close();
  });

  it('applies from empty and verifies each sandbox through its endpoint', async () => {
    await p.write([{ name: 'alice' }, { name: 'bob', labels: { team: 'research' } }]);
    const applied = await run(['apply', '--auto-approve']);
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    assert.match(applied.stdout, /alice: verify:host-token ok/);
    const live = p.standin.sandboxes();
    assert.deepEqual(live.map((s) => s.metadata['owctl.dev/name']).sort(), ['alice', 'bob']);
    for (const box of live) {
      assert.match(box.metadata['owctl.dev/config-hash']!, /^v1-[0-9a-f]{32}$/);
      assert.ok(Object.values(box.metadata).every((v) => !p.secrets(['alice', 'bob']).includes(v)), 'no secret in metadata');
    }
    assert.equal(live.find((s) => s.metadata['owctl.dev/name'] === 'bob')?.metadata.team, 'research');
  });

  it('a second apply changes nothing and sends no mutating call', async () => {
    const before = p.standin.exchanges().length;
    const again = await run(['apply', '--auto-approve']);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /No changes/);
    assert.deepEqual(mutating(p.standin.exchanges().slice(before)), []);
    const plan = await run(['plan', '--detailed-exitcode']);
    assert.equal(plan.code, 0);
  });

  it('a label change is a metadata PATCH in place (same sandbox)', async () => {
    const id = p.standin.sandboxes().find((s) => s.metadata['owctl.dev/name'] === 'bob')!.id;
    await p.write([{ name: 'alice' }, { name: 'bob', labels: { team: 'platform' } }]);
    const before = p.standin.exchanges().length;
    const applied = await run(['apply', '--auto-approve']);
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    assert.deepEqual(mutating(p.standin.exchanges().slice(before)).map((e) => `${e.method} ${e.path.replace(id, 'ID')}`), ['PATCH /sandboxes/ID/metadata']);
    const bob = p.standin.sandboxes().find((s) => s.metadata['owctl.dev/name'] === 'bob')!;
    assert.deepEqual([bob.id, bob.metadata.team], [id, 'platform']);
  });

  it('an image change creates and verifies the new sandbox while the old one still serves, then deletes the old one', async () => {
    const old = p.standin.sandboxes().find((s) => s.metadata['owctl.dev/name'] === 'alice')!;
    await p.write([{ name: 'alice', image: IMAGE_V2 }, { name: 'bob', labels: { team: 'platform' } }]);
    const plan = await run(['plan']);
    assert.match(plan.stdout, /created and verified, then the old one deleted \(its address changes\)/);
    const json = JSON.parse((await run(['plan', '--json'])).stdout);
    const alicePlan = json.changes.find((c: { sandbox: string }) => c.sandbox === 'alice');
    assert.deepEqual([alicePlan.action, alicePlan.create_first, alicePlan.instances], ['replace', true, [old.id]]);
    assert.deepEqual(planSchemaErrors(json), [], 'the plan document still matches schemas/plan.schema.json');
    const before = p.standin.exchanges().length;
    const applied = await run(['apply', '--auto-approve']);
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    const calls = p.standin.exchanges().slice(before);
    const created = calls.findIndex((e) => e.method === 'POST' && e.path === '/sandboxes');
    const deleted = calls.findIndex((e) => e.method === 'DELETE' && e.path === `/sandboxes/${old.id}`);
    const newId = (calls[created]!.responseBody as { id: string }).id;
    const verifiedNew = calls.findIndex((e) => e.method === 'GET' && e.path === `/sandboxes/${newId}/endpoints/8787`);
    assert.ok(created >= 0 && verifiedNew > created && deleted > verifiedNew, 'create, endpoint of the new one, then delete the old one');
    const alice = p.standin.sandboxes().filter((s) => s.metadata['owctl.dev/name'] === 'alice');
    assert.deepEqual(alice.map((s) => [s.id, s.image]), [[newId, IMAGE_V2]]);
  });

  it('heals two live sandboxes with one name, keeping one that verifies', async () => {
    const alice = p.standin.sandboxes().find((s) => s.metadata['owctl.dev/name'] === 'alice')!;
    // A crash mid-replace: a second sandbox with the same metadata but a server that does not answer.
    await p.standin.seed(alice.metadata);
    const plan = await run(['plan']);
    assert.match(plan.stdout, /2 live sandboxes carry this name/);
    assert.match(plan.stdout, /is up to date/);
    const applied = await run(['apply', '--auto-approve']);
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    assert.deepEqual(p.standin.sandboxes().filter((s) => s.metadata['owctl.dev/name'] === 'alice').map((s) => s.id), [alice.id]);
  });

  it('status, connect and verify work; logs says plainly there is no log API', async () => {
    const status = await run(['status', '--json']);
    assert.equal(status.code, 0, status.stderr);
    const rows = JSON.parse(status.stdout).sandboxes as Array<{ name: string; status: string; url: string; server: string }>;
    assert.deepEqual(rows.map((r) => [r.name, r.status, /^http:\/\/127\.0\.0\.1:\d+\/proxy\/8787$/.test(r.url)]), [['alice', 'Running', true], ['bob', 'Running', true]]);
    // Probed through the endpoint (a 1.5 s probe may call a loaded machine's server down; `verify` below proves it up).
    assert.ok(rows.every((r) => r.server !== 'unknown'), 'each running sandbox was probed through its endpoint');
    const connect = await run(['connect', 'alice', '--json']);
    assert.equal(JSON.parse(connect.stdout).url, rows[0]!.url);
    assert.equal((await run(['verify'])).code, 0);
    const logs = await run(['logs', 'alice']);
    assert.equal(logs.code, 1);
    assert.match(logs.stderr, /opensandbox backend has no log API/);
  });

  it('a sandbox removed from the file is deleted; destroy leaves foreign sandboxes alone', async () => {
    const foreign = await p.standin.seed({ 'owctl.dev/project': 'other', 'owctl.dev/name': 'alice' });
    const unmanaged = await p.standin.seed({ team: 'x' });
    await p.write([{ name: 'alice', image: IMAGE_V2 }]);
    const applied = await run(['apply', '--auto-approve']);
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    assert.deepEqual(p.standin.sandboxes().filter((s) => s.metadata['owctl.dev/project'] === 'demo').map((s) => s.metadata['owctl.dev/name']), ['alice']);
    const destroyed = await run(['destroy', '--auto-approve']);
    assert.equal(destroyed.code, 0, destroyed.stderr);
    assert.deepEqual(p.standin.sandboxes().map((s) => s.id).sort(), [foreign, unmanaged].sort());
  });

  it('saved plans are refused when stale', async () => {
    await p.write([{ name: 'carol' }]);
    const file = join(p.dir, 'plan.json');
    assert.equal((await run(['plan', '-o', file])).code, 0);
    const saved = await readFile(file, 'utf8');
    await p.standin.seed({ 'owctl.dev/project': 'demo', 'owctl.dev/name': 'carol' });
    const stale = await run(['apply', file, '--json']);
    assert.equal(stale.code, 1);
    assert.match(stale.stdout, /"code":"plan.stale"/);
    outputs.push(saved);
  });

  it('GitOps output works here too: the Markdown plan for a pull request, and apply --json ending with outputs', async () => {
    await p.write([{ name: 'carol' }, { name: 'dave' }]);
    const markdown = await run(['plan', '--format', 'markdown']);
    assert.equal(markdown.code, 0, markdown.stderr);
    assert.match(markdown.stdout, /^### owctl plan: project `demo`/m);
    assert.match(markdown.stdout, /<strong>dave<\/strong> will be created/);
    const applied = await run(['apply', '--auto-approve', '--json']);
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    const events = applied.stdout.trim().split('\n').map((line) => JSON.parse(line) as { type: string; outputs?: Array<{ sandbox: string; url: string }> });
    const validate = compileSchema('events.schema.json');
    for (const event of events) assertValid(validate, event, event.type);
    assert.deepEqual(events.slice(-2).map((e) => e.type), ['outputs', 'summary']);
    // The address is the endpoint the server gave for the OpenWork server's guest port.
    assert.ok(events.at(-2)!.outputs!.some((o) => o.sandbox === 'dave' && /^http:\/\//.test(o.url)), JSON.stringify(events.at(-2)));
  });

  it('Ctrl-C (SIGINT) mid-apply: the step in flight finishes, nothing new starts, exit 130; the next apply converges', async () => {
    const fresh = ['erin', 'frank', 'gina', 'hank', 'ivan', 'jane'];
    await p.write([{ name: 'carol' }, { name: 'dave' }, ...fresh.map((name) => ({ name }))]);
    const creates = () => p.standin.exchanges().filter((e) => e.method === 'POST' && e.path === '/sandboxes').length;
    const before = creates();
    const child = spawn(process.execPath, builtOwctl(['apply', '--auto-approve', '--parallelism', '1']).slice(1), {
      cwd: p.dir,
      env: p.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await eventually(async () => creates() > before, 60_000, 'the first create');
    child.kill('SIGINT');
    const code = await exit;
    outputs.push(output);
    assert.equal(code, 130, output);
    assert.match(output, /SIGINT received: starting nothing new/);
    // What the summary says is what happened: every change it started made one create; the rest never started.
    const summary = /Apply interrupted: (\d+) finished(?: \([^)]*\))?, (\d+) interrupted(?: \([^)]*\))?, (\d+) never started/.exec(output);
    assert.ok(summary, output);
    const [finished, interrupted, never] = summary.slice(1).map(Number) as [number, number, number];
    assert.equal(finished + interrupted + never, output.match(/^ {2}# \S+ will be created$/gm)?.length, output);
    assert.ok(never >= 1, `the interrupt came before the last change started:\n${output}`);
    assert.equal(creates() - before, finished + interrupted, output);
    const again = await run(['apply', '--auto-approve']);
    assert.equal(again.code, 0, again.stdout + again.stderr);
    const names = p.standin.sandboxes().filter((s) => s.metadata['owctl.dev/project'] === 'demo').map((s) => s.metadata['owctl.dev/name']).sort();
    assert.deepEqual(names, ['carol', 'dave', ...fresh]);
  });

  it('a sandbox paused outside owctl (frozen: its server does not answer) is resumed and verified by apply', async () => {
    await p.write([{ name: 'carol' }]);
    assert.equal((await run(['apply', '--auto-approve'])).code, 0);
    const carol = p.standin.sandboxes().find((s) => s.metadata['owctl.dev/name'] === 'carol' && s.metadata['owctl.dev/project'] === 'demo')!;
    const paused = await fetch(`${p.standin.url}/sandboxes/${carol.id}/pause`, { method: 'POST', headers: { 'OPEN-SANDBOX-API-KEY': API_KEY } });
    assert.equal(paused.status, 202);
    const plan = await run(['plan', '--detailed-exitcode']);
    assert.equal(plan.code, 2, plan.stdout + plan.stderr);
    assert.match(plan.stdout, /carol is Paused; will be started/);
    const applied = await run(['apply', '--auto-approve']);
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    assert.match(applied.stdout, /carol: verify:host-token ok/);
    assert.equal(p.standin.sandboxes().find((s) => s.id === carol.id)?.state, 'Running', 'the same sandbox, resumed');
  });

  it('server.port: owctl asks the server for the endpoint of the declared guest port', async () => {
    await p.write([{ name: 'carol', serverPort: 9000 }]);
    const applied = await run(['apply', '--auto-approve']);
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    assert.match(applied.stdout, /carol: verify:host-token ok/);
    const endpoints = p.standin.exchanges().filter((e) => /\/endpoints\/\d+$/.test(e.path)).map((e) => e.path.replace(/.*\//, ''));
    assert.equal(endpoints.at(-1), '9000');
  });

  it('no token or API key in any output, plan file or request URL', () => {
    const urls = p.standin.exchanges().map((e) => `${e.path}${e.query}`);
    assertNoSecrets([...outputs, ...urls], p.secrets(['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'gina', 'hank', 'ivan', 'jane']));
  });
});

describe('opensandbox backend on a Kubernetes runtime: sandboxes start Pending', { timeout: 300_000 }, () => {
  it('apply waits while a new sandbox is Pending, then verifies it', async () => {
    const p = await Project.start({ pending: { reads: 3 } });
    try {
      await p.write([{ name: 'kate' }]);
      const applied = await p.owctl(['apply', '--auto-approve']);
      assert.equal(applied.code, 0, applied.stdout + applied.stderr);
      assert.match(applied.stdout, /kate: verify:host-token ok/);
      const reads = p.standin.exchanges().filter((e) => e.method === 'GET' && /^\/sandboxes\/[^/]+$/.test(e.path));
      assert.ok(reads.some((e) => (e.responseBody as { status?: { state?: string } }).status?.state === 'Pending'), 'owctl read it while Pending');
    } finally {
      await p.close();
    }
  });

  it('a sandbox that never gets scheduled fails clearly, with the scheduler\'s reason, after its timeout', async () => {
    const p = await Project.start({ pending: { reads: Infinity, reason: 'Unschedulable', message: '0/3 nodes are available: 3 Insufficient memory' } });
    try {
      await p.write([{ name: 'kate' }]);
      await writeFile(join(p.dir, 'openwork.yaml'), (await readFile(join(p.dir, 'openwork.yaml'), 'utf8')).replace('verify: { timeout: 60s }', 'verify: { timeout: 2s }').replace('request_timeout: 60s', 'request_timeout: 3s'));
      const applied = await p.owctl(['apply', '--auto-approve']);
      assert.equal(applied.code, 1, applied.stdout + applied.stderr);
      const text = applied.stdout + applied.stderr;
      assert.match(text, /kate \([0-9a-f-]+\) is Pending \(Unschedulable: 0\/3 nodes are available: 3 Insufficient memory\), not Running after 3 s/);
      assert.match(text, /pod is scheduled and ready/);
    } finally {
      await p.close();
    }
  });
});
