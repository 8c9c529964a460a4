/** Day-2 verbs Terraform users reach for: --replace, show of a saved plan, outputs after apply and on demand, import. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertValid, compileSchema } from '../helpers/json-schema.ts';
import { Project, freePort, get, json, tokens, type SandboxSpec, type Tokens } from './harness.ts';

describe('day-2 verbs', () => {
  let project: Project;
  let alice: SandboxSpec & { tokens: Tokens };
  let bob: SandboxSpec & { tokens: Tokens };

  before(async () => {
    project = await Project.create('verbs');
    alice = { name: 'alice', port: await freePort(), tokens: tokens('alice') };
    bob = { name: 'bob', port: await freePort(), tokens: tokens('bob') };
    await project.writeFile([alice, bob]);
  });
  after(() => project.cleanup());

  it('apply prints each touched sandbox\'s connect URL and where its token lives, never the token', async () => {
    const result = await project.owctl(['apply', '--auto-approve']);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const outputs = result.stdout.slice(result.stdout.indexOf('Outputs'));
    assert.match(outputs, new RegExp(`alice +http://127\\.0\\.0\\.1:${alice.port} +token: sandboxes\\.alice\\.tokens\\.client \\(guest OPENWORK_TOKEN\\)`));
    assert.match(outputs, new RegExp(`bob +http://127\\.0\\.0\\.1:${bob.port}`));
    await project.assertNoSecrets(result.stdout, result.stderr);
    const again = await project.owctl(['apply', '--auto-approve']);
    assert.doesNotMatch(again.stdout, /Outputs/, 'nothing touched, nothing to print');
  });

  it('output prints the same on demand, for one sandbox or all, and as JSON', async () => {
    const all = await project.owctl(['output']);
    assert.equal(all.code, 0, all.stderr);
    assert.match(all.stdout, /alice[\s\S]*bob/);
    const one = json(await project.owctl(['output', 'bob', '--json']));
    assert.deepEqual(one, { format_version: '1.2', project: 'verbs', outputs: [{ sandbox: 'bob', url: `http://127.0.0.1:${bob.port}`, token_env: 'OPENWORK_TOKEN', host_token_env: 'OPENWORK_HOST_TOKEN' }] });
    const verify = await project.owctl(['verify', '--json']);
    assert.equal(verify.code, 0, verify.stdout + verify.stderr);
    assertValid(compileSchema('verify.schema.json'), json(verify), 'verify');
    assertValid(compileSchema('status.schema.json'), json(await project.owctl(['status', '--json'])), 'status');
    assertValid(compileSchema('output.schema.json'), one, 'output');
    const unknown = await project.owctl(['output', 'carol']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no sandbox named carol/);
  });

  it('plan --replace shows an up-to-date sandbox "will be replaced, as requested"; -o saves it and show renders it', async () => {
    const planned = await project.owctl(['plan', '--replace', 'alice', '--detailed-exitcode', '-o', 'replace.json']);
    assert.equal(planned.code, 2, planned.stdout + planned.stderr);
    assert.match(planned.stdout, /alice will be replaced, as requested/);
    assert.match(planned.stdout, /0 to add, 0 to change, 1 to replace, 0 to destroy/);
    const calls = (await project.msbCalls()).length;
    const shown = await project.owctl(['show', 'replace.json'], { OWCTL_MSB: '/nonexistent/msb' });
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /alice will be replaced, as requested/);
    assert.match(shown.stdout, /made with --replace alice/);
    const document = json(await project.owctl(['show', 'replace.json', '--json']));
    assert.deepEqual(document.changes.map((c: any) => [c.sandbox, c.action]), [['alice', 'replace'], ['bob', 'noop']]);
    assert.match((await project.owctl(['show', 'replace.json', '--format', 'markdown'])).stdout, /alice/);
    assert.equal((await project.msbCalls()).length, calls, 'show never runs msb');
    const missing = await project.owctl(['show', 'nope.json']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /plan -o/);
  });

  it('apply of the saved plan replaces the sandbox (rm, then create) and verifies it', async () => {
    const before = (await project.msbCalls()).length;
    const result = await project.owctl(['apply', 'replace.json']);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const calls = (await project.msbCalls()).slice(before).map((argv) => argv.slice(0, 2).join(' '));
    assert.ok(calls.includes('rm --force') && calls.some((c) => c.startsWith('create')), calls.join('\n'));
    assert.equal(await get(`http://127.0.0.1:${alice.port}/health`), 200);
    assert.match(result.stdout, /Outputs[\s\S]*alice/);
    assert.doesNotMatch(result.stdout.slice(result.stdout.indexOf('Outputs')), /bob/);
  });

  it('apply --replace NAME replaces directly; --replace of an undeclared name is a usage error', async () => {
    const result = await project.owctl(['apply', '--replace', 'bob', '--auto-approve', '--json']);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const events = result.stdout.trim().split('\n').map((line) => JSON.parse(line));
    assert.deepEqual(events.filter((e) => e.type === 'change_finish').map((e) => [e.sandbox, e.action]), [['bob', 'replace']]);
    // The outputs of what it touched, as an event just before the summary (the stream has no other place for them).
    const validate = compileSchema('events.schema.json');
    for (const event of events) assertValid(validate, event, `event ${event.type}`);
    assert.deepEqual(events.slice(-2).map((e) => e.type), ['outputs', 'summary']);
    assert.deepEqual(events.at(-2).outputs, [{ sandbox: 'bob', url: `http://127.0.0.1:${bob.port}`, token_env: 'OPENWORK_TOKEN', host_token_env: 'OPENWORK_HOST_TOKEN' }]);
    await project.assertNoSecrets(result.stdout);
    const wrong = await project.owctl(['plan', '--replace', 'carol']);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /--replace carol: no such sandbox in the file/);
  });
});

describe('import adopts an unlabelled sandbox that holds a declared name', () => {
  let project: Project;
  let alice: SandboxSpec & { tokens: Tokens };
  let bob: SandboxSpec & { tokens: Tokens };

  before(async () => {
    project = await Project.create('adopt');
    alice = { name: 'alice', port: await freePort(), tokens: tokens('alice') };
    bob = { name: 'bob', port: await freePort(), tokens: tokens('bob') };
    await project.writeFile([alice, bob]);
    for (const [name, labels] of [['alice', []], ['bob', ['--label', 'owctl.dev/project=elsewhere']]] as const) {
      const made = await project.msbRaw(['create', '--quiet', '--name', name, '--pull', 'never', '--cpus', '1', '--memory', '512M', ...labels, 'openwork-microsandbox:dev']);
      assert.equal(made.code, 0, made.stderr);
    }
  });
  after(() => project.cleanup());

  it('before: the name is a conflict', async () => {
    const planned = await project.owctl(['plan']);
    assert.equal(planned.code, 1);
    assert.match(planned.stderr, /"alice" is held by a sandbox not managed by owctl/);
  });

  it('asks like apply: without a terminal it needs --auto-approve, and changes nothing', async () => {
    const refused = await project.owctl(['import', 'alice']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /--auto-approve/);
    assert.match(refused.stdout, /alice will be adopted/);
    assert.equal((await project.inspect('alice'))?.config.labels['owctl.dev/project'], undefined);
  });

  it('never adopts a sandbox of another owctl project, nor an undeclared or missing one', async () => {
    const foreign = await project.owctl(['import', 'bob', '--auto-approve']);
    assert.equal(foreign.code, 1);
    assert.match(foreign.stderr, /bob \(project "elsewhere"\)[\s\S]*another owctl project/);
    assert.equal((await project.inspect('bob'))?.config.labels['owctl.dev/project'], 'elsewhere');
    const undeclared = await project.owctl(['import', 'carol', '--auto-approve']);
    assert.match(undeclared.stderr, /carol: not declared/);
  });

  it('shows the labels it adds, then the ordinary plan, and labels the sandbox', async () => {
    const result = await project.owctl(['import', 'alice', '--auto-approve']);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /\+ labels\.owctl\.dev\/project = "adopt"/);
    assert.match(result.stdout, /once adopted, `owctl apply` would do this:[\s\S]*alice must be replaced \([^)]*tokens/);
    assert.match(result.stdout, /Imported alice into project "adopt"\. Run `owctl apply`/);
    assert.equal((await project.inspect('alice'))?.config.labels['owctl.dev/project'], 'adopt');
    const again = await project.owctl(['import', 'alice', '--auto-approve']);
    assert.equal(again.code, 0);
    assert.match(again.stdout, /Already managed by project "adopt": alice/);
    const planned = json(await project.owctl(['plan', '--json', '--target', 'alice']));
    assert.deepEqual([planned.conflicts, planned.changes[0].action], [[], 'replace']);
    await project.assertNoSecrets(result.stdout, result.stderr);
  });
});
