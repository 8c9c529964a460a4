/** Failures are contained, named and recoverable: verification, boot, stale plans, protection. */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Project, SIMULATOR_ONLY, freePort, get, json, tokens } from './harness.ts';

describe('failures', () => {
  let project: Project;
  before(async () => {
    project = await Project.create('failures');
  });
  after(() => project.cleanup());

  it('verification fails at the authorized step when the server holds another client token, exit 1', { skip: SIMULATOR_ONLY }, async () => {
    const spec = { name: 'wrong', port: await freePort(), tokens: tokens('wrong') };
    // The fixture reads its client token from the variable named here, like an image with another env prefix.
    await project.writeFile([{ ...spec, extraEnv: { OPENWORK_FIXTURE_TOKEN_ENV: 'OTHER_TOKEN', OTHER_TOKEN: 'a-different-client-token-0123456789' } }]);
    const result = await project.owctl(['apply', '--auto-approve', '--json']);
    assert.equal(result.code, 1);
    const events = result.stdout.trim().split('\n').map((line) => JSON.parse(line));
    assert.deepEqual(events[0].type, 'version');
    const failedStep = events.find((e) => e.type === 'step_finish' && e.step.startsWith('verify:') && !e.ok);
    assert.equal(failedStep.step, 'verify:authorized');
    const failure = events.find((e) => e.type === 'change_failed');
    assert.match(failure.message, /authorized.*401/);
    assert.equal(events.at(-1).type, 'summary');
    assert.equal(events.at(-1).exit_code, 1);
    await project.assertNoSecrets(result.stdout, result.stderr);
    assert.equal((await project.owctl(['destroy', '--auto-approve'])).code, 0);
  });

  it('one boot failing mid-apply leaves the others done, exits 1, and the re-run converges', { skip: SIMULATOR_ONLY }, async () => {
    const specs = await Promise.all(['ok1', 'bad', 'ok2'].map(async (name) => ({ name, port: await freePort(), tokens: tokens(name) })));
    await project.writeFile(specs);
    // As a GitHub Actions step: the outcome also lands in the step summary, as a table.
    const summaryFile = join(project.dir, 'step-summary.md');
    const first = await project.owctl(['apply', '--auto-approve'], { MSB_SIM_BOOT_FAIL: 'bad', GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summaryFile });
    assert.equal(first.code, 1);
    assert.match(first.stdout, /2 succeeded \(ok1, ok2\), 1 failed \(bad\)/);
    const summary = await readFile(summaryFile, 'utf8');
    assert.match(summary, /### owctl apply: failed/);
    assert.match(summary, /\| `bad` \| create \| ❌ failed \|/);
    assert.match(summary, /\| `ok1` \| create \| ✅ succeeded \|/);
    const firstStderr = first.stderr.split('\n').filter((line) => !line.startsWith('::add-mask::')).join('\n');
    assert.equal(await get(`http://127.0.0.1:${specs[0]!.port}/health`), 200);
    assert.equal(await get(`http://127.0.0.1:${specs[2]!.port}/health`), 200);
    const plan = json(await project.owctl(['plan', '--json']));
    assert.deepEqual(plan.changes.filter((c: any) => c.action !== 'noop').map((c: any) => [c.sandbox, c.action]), [['bad', 'start']]);
    const second = await project.owctl(['apply', '--auto-approve']);
    assert.equal(second.code, 0, second.stdout + second.stderr);
    assert.equal(await get(`http://127.0.0.1:${specs[1]!.port}/health`), 200);
    await project.assertNoSecrets(first.stdout, firstStderr, summary, second.stdout);
  });

  it('a saved plan is refused as stale once live state moved, and applied as is otherwise', async () => {
    const planFile = join(project.dir, 'plan.json');
    assert.equal((await project.msbRaw(['stop', 'ok1'])).code, 0);
    const saved = await project.owctl(['plan', '-o', planFile, '--detailed-exitcode']);
    assert.equal(saved.code, 2);
    assert.equal((await project.msbRaw(['stop', 'ok2'])).code, 0);
    const refused = await project.owctl(['apply', planFile]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /stale.*ok2/);
    assert.equal((await project.inspect('ok1'))?.status, 'Stopped', 'a stale plan changes nothing');
    const fresh = await project.owctl(['plan', '-o', planFile]);
    assert.equal(fresh.code, 0);
    const applied = await project.owctl(['apply', planFile]);
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    assert.equal((await project.inspect('ok2'))?.status, 'Running');
  });

  it('a protected sandbox is never replaced: the plan shows it, apply refuses before changing anything', async () => {
    const specs = await Promise.all(['ok1', 'bad', 'ok2'].map(async (name) => ({ name, port: await freePort(), tokens: tokens(name) })));
    await project.writeFile(specs.map((s) => ({ ...s, protect: true })));
    const plan = await project.owctl(['plan']);
    assert.match(plan.stdout, /protected/);
    const result = await project.owctl(['apply', '--auto-approve']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /refusing to apply: protected sandboxes would be deleted or replaced: bad \(replace\), ok1 \(replace\), ok2 \(replace\)/);
    const destroy = await project.owctl(['destroy', '--auto-approve']);
    assert.equal(destroy.code, 1);
    assert.deepEqual(await project.names(), ['bad', 'ok1', 'ok2']);
  });
});
