/**
 * OpenCode's sessions, the server's issued tokens, the provider keys set through `PUT /env` (OPENWORK_ENV_STORE) and
 * the server's config with runtime.sqlite beside it (OPENWORK_SERVER_CONFIG) outlive a replacement when the sandbox
 * keeps them in /data (owctl init's defaults), and are lost without that — as in the image, where HOME=/root is on
 * the root filesystem (openwork-server.md, "Where state lives"). Only `destroy --purge` deletes them.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PERSISTED_STATE_ENV } from '../../src/config/persisted-state.ts';
import { Project, SIMULATOR_ONLY, freePort, tokens, type SandboxSpec, type Tokens } from './harness.ts';

type Spec = SandboxSpec & { tokens: Tokens };

async function call(spec: Spec, method: string, path: string, options: { bearer?: string; host?: boolean; body?: unknown } = {}): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.bearer !== undefined) headers.authorization = `Bearer ${options.bearer}`;
  if (options.host === true) headers['x-openwork-host-token'] = spec.tokens.host;
  const response = await fetch(`http://127.0.0.1:${spec.port}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: AbortSignal.timeout(60_000),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? null : JSON.parse(text) };
}

async function workspace(spec: Spec): Promise<string> {
  return (await call(spec, 'GET', '/workspaces', { bearer: spec.tokens.client })).body.items[0].id;
}

async function sessionIds(spec: Spec): Promise<string[]> {
  const listed = await call(spec, 'GET', `/w/${await workspace(spec)}/opencode/session`, { bearer: spec.tokens.client });
  assert.equal(listed.status, 200);
  return (listed.body as Array<{ id: string }>).map((s) => s.id);
}

async function tokenIds(spec: Spec): Promise<string[]> {
  const listed = await call(spec, 'GET', '/tokens', { host: true });
  assert.equal(listed.status, 200);
  return (listed.body.items as Array<{ id: string }>).map((t) => t.id);
}

describe('state that outlives a sandbox', { skip: SIMULATOR_ONLY }, () => {
  let project: Project;
  let kept: Spec;
  let lost: Spec;
  const made: Record<string, { session: string; tokenId: string; token: string }> = {};

  before(async () => {
    // Its own OpenCode per sandbox: the fact is where OpenCode keeps its sessions (the guest's XDG folders, in /data or
    // on the root filesystem), which a shared OpenCode outside the guest would not show.
    project = await Project.create('persist', { opencode: 'own' });
    kept = { name: 'kept', port: await freePort(), tokens: tokens('kept'), data: true, extraEnv: { ...PERSISTED_STATE_ENV } };
    lost = { name: 'lost', port: await freePort(), tokens: tokens('lost'), data: true };
  });
  after(() => project.cleanup());

  it('a session and an issued token made before a replacement are there after it (and lost without /data state)', async () => {
    await project.writeFile([kept, lost]);
    const first = await project.owctl(['apply', '--auto-approve']);
    assert.equal(first.code, 0, first.stdout + first.stderr);
    for (const spec of [kept, lost]) {
      const session = await call(spec, 'POST', `/w/${await workspace(spec)}/opencode/session`, { bearer: spec.tokens.client, body: { title: 'before the replacement' } });
      assert.equal(session.status, 200, JSON.stringify(session.body));
      const issued = await call(spec, 'POST', '/tokens', { host: true, body: { scope: 'collaborator', label: 'laptop' } });
      assert.equal(issued.status, 201);
      made[spec.name] = { session: session.body.id, tokenId: issued.body.id, token: issued.body.token };
      assert.equal((await call(spec, 'PUT', '/env', { host: true, body: { key: 'ANTHROPIC_API_KEY', value: `sk-test-${spec.name}` } })).status, 200);
      const renamed = await call(spec, 'PATCH', `/workspaces/${await workspace(spec)}/display-name`, { bearer: spec.tokens.client, body: { displayName: 'Research' } });
      assert.equal(renamed.status, 200);
      assert.equal((await call(spec, 'GET', '/status', { bearer: spec.tokens.client })).body.runtimeStarts, 1);
    }

    kept.port = await freePort();
    lost.port = await freePort();
    await project.writeFile([kept, lost]);
    const plan = await project.owctl(['plan']);
    assert.match(plan.stdout, /Plan: 0 to add, 0 to change, 2 to replace/);
    const replaced = await project.owctl(['apply', '--auto-approve']);
    assert.equal(replaced.code, 0, replaced.stdout + replaced.stderr);

    assert.ok((await sessionIds(kept)).includes(made.kept!.session), 'the session is listed after the replacement');
    assert.ok((await tokenIds(kept)).includes(made.kept!.tokenId), 'the issued token is listed');
    assert.equal((await call(kept, 'GET', '/workspaces', { bearer: made.kept!.token })).status, 200, 'and still admits its holder');

    assert.deepEqual((await call(kept, 'GET', '/env/keys', { host: true })).body.keys, ['ANTHROPIC_API_KEY'], 'the provider key set through /env (OPENWORK_ENV_STORE)');
    const keptWorkspaces = await call(kept, 'GET', '/workspaces', { bearer: kept.tokens.client });
    assert.equal(keptWorkspaces.body.items[0].displayName, 'Research', 'the server config (OPENWORK_SERVER_CONFIG)');
    assert.equal((await call(kept, 'GET', '/status', { bearer: kept.tokens.client })).body.runtimeStarts, 2, 'runtime.sqlite beside the server config');

    assert.ok(!(await sessionIds(lost)).includes(made.lost!.session), 'without the env the session was on the root filesystem');
    assert.ok(!(await tokenIds(lost)).includes(made.lost!.tokenId));
    assert.deepEqual((await call(lost, 'GET', '/env/keys', { host: true })).body.keys, []);
    assert.equal((await call(lost, 'GET', '/workspaces', { bearer: lost.tokens.client })).body.items[0].displayName, undefined);
    assert.equal((await call(lost, 'GET', '/status', { bearer: lost.tokens.client })).body.runtimeStarts, 1);
    await project.assertNoSecrets(replaced.stdout, replaced.stderr);
  });

  it('destroy keeps them; only destroy --purge deletes them', async () => {
    const data = join(project.dir, '.owctl', 'kept', 'data');
    const destroyed = await project.owctl(['destroy', '--auto-approve']);
    assert.equal(destroyed.code, 0, destroyed.stdout + destroyed.stderr);
    assert.ok(existsSync(join(data, 'openwork', 'tokens.json')));
    const again = await project.owctl(['apply', '--auto-approve', '--target', 'kept']);
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.ok((await sessionIds(kept)).includes(made.kept!.session), 'listed after destroy and a new apply');

    const purged = await project.owctl(['destroy', '--auto-approve', '--purge']);
    assert.equal(purged.code, 0, purged.stdout + purged.stderr);
    assert.match(purged.stdout, new RegExp(`- \\S*\\.owctl/kept/data \\(the folder and everything in it\\)`));
    assert.equal(existsSync(data), false);
  });
});
