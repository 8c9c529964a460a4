/**
 * `owctl approvals` on the opensandbox backend, through a Kubernetes-style gateway (the address needs the
 * OPEN-SANDBOX-INGRESS header): the same verbs as on microsandbox, reaching each server where its endpoint is.
 * Approvals are the OpenWork server's own: the servers use the stand-in of OpenCode's session and event routes
 * (test/helpers/event-opencode.ts) rather than a real OpenCode.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually } from '../e2e/harness.ts';
import { type EventOpencode, startEventOpencode } from '../helpers/event-opencode.ts';
import { assertValid, compileSchema } from '../helpers/json-schema.ts';
import { API_KEY, assertNoSecrets, Project } from './project.ts';

describe('owctl approvals on opensandbox', { timeout: 300_000 }, () => {
  let p: Project;
  let opencode: EventOpencode;
  const outputs: string[] = [];
  const run = async (args: string[]) => {
    const result = await p.owctl(args);
    outputs.push(result.stdout, result.stderr);
    return result;
  };
  before(async () => {
    opencode = await startEventOpencode();
    const fixtureEnv = { OPENWORK_FIXTURE_OPENCODE_URL: opencode.url, OPENWORK_APPROVAL_MODE: 'manual', OPENWORK_APPROVAL_TIMEOUT_MS: '60000' };
    p = await Project.start({ endpointMode: 'gateway', opencode: 'own', fixtureEnv });
    await p.write([{ name: 'alice' }, { name: 'bob' }]);
    const applied = await run(['apply', '--auto-approve']);
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    assert.match(applied.stdout, /alice: verify:events ok/, 'the event stream reached the client through the gateway');
  });
  after(async () => {
    await p?.close();
    await opencode?.close();
  });

  it('a held write is listed through the gateway and allowed; a paused sandbox is named and makes the exit code 1', async () => {
    const connect = JSON.parse((await run(['connect', 'alice', '--json'])).stdout);
    const client = { ...connect.headers, authorization: `Bearer ${p.token('alice', 'client')}` };
    // The stand-in gives each sandbox its own workspace folder: its id is the server's to say.
    const workspaces = (await (await fetch(`${connect.url}/workspaces`, { headers: client })).json()) as { items: Array<{ id: string }> };
    const held = fetch(`${connect.url}/workspace/${workspaces.items[0]!.id}/files/content`, {
      method: 'POST',
      headers: { ...client, 'content-type': 'application/json' },
      body: JSON.stringify({ path: 'report.md', content: 'ok' }),
      signal: AbortSignal.timeout(60_000),
    });
    let doc: any;
    await eventually(async () => {
      doc = JSON.parse((await run(['approvals', '--json'])).stdout);
      return doc.pending === 1;
    }, 20_000, 'the held write to be listed');
    assertValid(compileSchema('approvals.schema.json'), doc, 'approvals --json');
    const alice = doc.sandboxes.find((s: any) => s.sandbox === 'alice');
    assert.deepEqual([alice.state, alice.url, alice.approvals[0].summary], ['answered', connect.url, 'Write report.md']);
    const allowed = await run(['approvals', 'allow', 'alice', alice.approvals[0].id]);
    assert.equal(allowed.code, 0, allowed.stdout + allowed.stderr);
    assert.equal((await held).status, 200);

    const bobId = p.standin.sandboxes().find((s) => s.metadata['owctl.dev/name'] === 'bob')!.id;
    const paused = await fetch(`${p.standin.url}/sandboxes/${bobId}/pause`, { method: 'POST', headers: { 'OPEN-SANDBOX-API-KEY': API_KEY } });
    assert.equal(paused.status, 202);
    const listed = await run(['approvals']);
    assert.equal(listed.code, 1);
    assert.match(listed.stdout, /No pending approvals: alice/);
    assert.match(listed.stdout, /bob: bob is Paused: its server cannot hold or answer approvals/);
    assertNoSecrets(outputs, p.secrets(['alice', 'bob']));
  });
});
