/**
 * The operator's approvals through the msb simulator: a sandbox in manual approval mode holds a client's write
 * until `owctl approvals allow|deny` answers it; `owctl approvals` lists what is held (which sandbox, what is asked,
 * since when). A sandbox that cannot answer is named and makes the exit code 1. No token is ever printed.
 * Approvals are the OpenWork server's own, so OpenCode is not what this scenario tests: both sandboxes' servers use
 * the stand-in of OpenCode's session and event routes (test/helpers/event-opencode.ts) instead of starting one each.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type EventOpencode, startEventOpencode } from '../helpers/event-opencode.ts';
import { assertValid, compileSchema } from '../helpers/json-schema.ts';
import { eventually, freePort, json, Project, type SandboxSpec, type Tokens, tokens } from './harness.ts';

const WS = 'ws_c52ddf65534b'; // the workspace /workspace, as the server names it

describe('owctl approvals through the simulator', () => {
  let project: Project;
  let opencode: EventOpencode;
  let alice: SandboxSpec & { tokens: Tokens };
  let bob: SandboxSpec & { tokens: Tokens };
  const outputs: string[] = [];
  const schema = compileSchema('approvals.schema.json');

  const owctl = async (args: string[]) => {
    const result = await project.owctl(args);
    outputs.push(result.stdout, result.stderr);
    return result;
  };
  /** A client's write to alice's workspace, which the server holds in manual mode; resolves with its final answer. */
  const clientWrite = async (path: string) => {
    const res = await fetch(`http://127.0.0.1:${alice.port}/workspace/${WS}/files/content`, {
      method: 'POST',
      headers: { authorization: `Bearer ${alice.tokens.client}`, 'content-type': 'application/json' },
      body: JSON.stringify({ path, content: `# ${path}\n` }),
      signal: AbortSignal.timeout(60_000),
    });
    return { status: res.status, body: (await res.json()) as any };
  };
  /** Polls `owctl approvals --json` until alice lists `count` pending approvals (bounded). */
  const pendingOfAlice = async (count: number) => {
    let doc: any;
    await eventually(async () => {
      doc = json(await owctl(['approvals', 'alice', '--json']));
      return doc.sandboxes[0].approvals.length === count;
    }, 15_000, `${count} pending approvals on alice`);
    return doc.sandboxes[0].approvals as any[];
  };

  before(async () => {
    // No real OpenCode: both sandboxes use the event stand-in below.
    project = await Project.create('approvals', { opencode: 'none' });
    opencode = await startEventOpencode();
    const shared = { OPENWORK_FIXTURE_OPENCODE_URL: opencode.url };
    alice = { name: 'alice', port: await freePort(), tokens: tokens('alice'), extraEnv: { ...shared, OPENWORK_APPROVAL_MODE: 'manual', OPENWORK_APPROVAL_TIMEOUT_MS: '60000' } };
    bob = { name: 'bob', port: await freePort(), tokens: tokens('bob'), extraEnv: shared };
    await project.writeFile([alice, bob]);
    const applied = await owctl(['apply', '--auto-approve']);
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    assert.match(applied.stdout, /alice: verify:events ok/, 'the event stream reached the client through the published port');
  });
  after(async () => {
    await project?.cleanup();
    await opencode?.close();
  });

  it('nothing held: every sandbox answers with no pending approval, exit 0', async () => {
    const listed = await owctl(['approvals']);
    assert.equal(listed.code, 0, listed.stdout + listed.stderr);
    assert.match(listed.stdout, /No pending approvals: alice, bob/);
    const doc = json(await owctl(['approvals', '--json']));
    assertValid(schema, doc, 'approvals --json');
    assert.deepEqual([doc.pending, doc.sandboxes.map((s: any) => [s.sandbox, s.state])], [0, [['alice', 'answered'], ['bob', 'answered']]]);
  });

  it('a held write is listed (sandbox, action, what, since), allowed, lands in the workspace, and is gone', async () => {
    const before = Date.now();
    const held = clientWrite('notes/plan.md');
    const [approval] = await pendingOfAlice(1);
    assert.deepEqual([approval.action, approval.summary, approval.paths, approval.actor_scope], ['workspace.file.write', 'Write notes/plan.md', ['/workspace/notes/plan.md'], 'collaborator']);
    assert.ok(Date.parse(approval.created_at) >= before - 1000, 'since when: the time the server raised it');
    const human = await owctl(['approvals']);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, new RegExp(`alice +${approval.id} +workspace\\.file\\.write +Write notes/plan\\.md +\\d{4}-\\d\\d-\\d\\dT[\\d:]+Z \\(\\d+s ago\\)`));
    assert.match(human.stdout, /No pending approvals: bob/);
    const allowed = await owctl(['approvals', 'allow', 'alice', approval.id]);
    assert.equal(allowed.code, 0, allowed.stdout + allowed.stderr);
    assert.equal(allowed.stdout, `alice: allowed ${approval.id} (Write notes/plan.md); the server confirmed it\n`);
    const done = await held;
    assert.deepEqual([done.status, done.body.path], [200, 'notes/plan.md']);
    assert.equal(await readFile(join(project.dir, '.owctl', 'alice', 'workspace', 'notes', 'plan.md'), 'utf8'), '# notes/plan.md\n');
    assert.deepEqual(await pendingOfAlice(0), []);
  });

  it('deny refuses the held write (403 write_denied); an id not pending is an error naming what is', async () => {
    const held = clientWrite('secret-plan.md');
    const [approval] = await pendingOfAlice(1);
    const unknown = await owctl(['approvals', 'allow', 'alice', 'no-such-id', '--json']);
    assert.equal(unknown.code, 1);
    assert.equal(json(unknown).error.code, 'approvals.not_found');
    assert.match(json(unknown).error.message, new RegExp(`pending: ${approval.id}`));
    const denied = await owctl(['approvals', 'deny', 'alice', approval.id, '--json']);
    assert.equal(denied.code, 0, denied.stdout + denied.stderr);
    assertValid(schema, json(denied), 'approvals deny --json');
    assert.deepEqual([json(denied).reply, json(denied).allowed], ['deny', false]);
    const done = await held;
    assert.deepEqual([done.status, done.body.code, done.body.details.reason], [403, 'write_denied', 'denied']);
    const again = await owctl(['approvals', 'deny', 'alice', approval.id]);
    assert.equal(again.code, 1, 'an answered approval cannot be answered twice');
    assert.match(again.stderr, /no pending approval has this id \(none is pending\)/);
  });

  it('a stopped sandbox is reported as such and makes the exit code 1; the others are still listed', async () => {
    const stopped = await project.msbRaw(['stop', 'bob']);
    assert.equal(stopped.code, 0, stopped.stderr);
    const listed = await owctl(['approvals']);
    assert.equal(listed.code, 1);
    assert.match(listed.stdout, /No pending approvals: alice/);
    assert.match(listed.stdout, /bob: bob is Stopped: its server cannot hold or answer approvals\n {2}hint: start it with `owctl apply --target bob`/);
    const doc = json(await owctl(['approvals', '--json']));
    assertValid(schema, doc, 'approvals --json with a stopped sandbox');
    assert.deepEqual(doc.sandboxes.map((s: any) => [s.sandbox, s.state]), [['alice', 'answered'], ['bob', 'not_running']]);
    const reply = await owctl(['approvals', 'allow', 'bob', 'x']);
    assert.equal(reply.code, 1);
    assert.match(reply.stderr, /bob is Stopped/);
    const undeclared = await owctl(['approvals', 'carol']);
    assert.deepEqual([undeclared.code, /no sandbox named carol/.test(undeclared.stderr)], [1, true]);
  });

  it('no token appeared in any output, nor on any msb command line', async () => {
    await project.assertNoSecrets(...outputs);
  });
});
