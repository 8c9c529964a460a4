/**
 * A server whose Docker runtime uses host networking gives every sandbox the same `host:port` endpoint, and a second
 * sandbox whose server uses the same port exits (EADDRINUSE) and turns Failed. A create-first replacement there would
 * verify the old sandbox and delete it: owctl plans delete-then-create with its downtime shown, and never deletes an
 * old sandbox for a new one it has not proven. Each change ends with a verified new sandbox, or fails with the old
 * one still serving.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openSandboxBackend } from '../../src/opensandbox/backend.ts';
import { freePort } from '../helpers/ports.ts';
import { API_KEY, IMAGE_V2, Project, type SandboxDecl } from './project.ts';

describe('opensandbox on a host-network server (one shared host:port per guest port)', { timeout: 300_000 }, () => {
  let p: Project;
  let port: number;
  const alice = (extra: Partial<SandboxDecl> = {}): SandboxDecl => ({ name: 'alice', serverPort: port, ...extra });
  const live = () => p.standin.sandboxes().filter((s) => s.metadata['owctl.dev/name'] === 'alice');
  /** The one alice left is Running, not the one before, and owctl's verify passes against it. */
  const assertVerifiedNew = async (oldId: string) => {
    const now = live();
    assert.equal(now.length, 1, JSON.stringify(now.map((s) => [s.id, s.state])));
    assert.notEqual(now[0]!.id, oldId, 'a new sandbox');
    assert.equal(now[0]!.state, 'Running');
    const verified = await p.owctl(['verify']);
    assert.equal(verified.code, 0, verified.stdout + verified.stderr);
  };
  before(async () => {
    port = await freePort();
    p = await Project.start({ endpointMode: 'host' });
    await p.write([alice()]);
    const applied = await p.owctl(['apply', '--auto-approve']);
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
  });
  after(async () => {
    await p?.close();
  });

  it('plan: an image change on a host-network server is delete-then-create, its downtime shown', async () => {
    await p.write([alice({ image: IMAGE_V2 })]);
    const json = JSON.parse((await p.owctl(['plan', '--json'])).stdout);
    const change = json.changes.find((c: { sandbox: string }) => c.sandbox === 'alice');
    assert.deepEqual([change.action, change.create_first], ['replace', undefined]);
    assert.match(change.reason, /destroy, then create \(downtime until the new one verifies: .*host networking/);
  });

  it('image change: ends with the new sandbox Running and verified', async () => {
    const old = live()[0]!.id;
    await p.write([alice({ image: IMAGE_V2 })]);
    const applied = await p.owctl(['apply', '--auto-approve']);
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    await assertVerifiedNew(old);
  });

  it('resources change: ends with the new sandbox Running and verified', async () => {
    const old = live()[0]!.id;
    await p.write([alice({ image: IMAGE_V2, memory: '1G' })]);
    const applied = await p.owctl(['apply', '--auto-approve']);
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    await assertVerifiedNew(old);
  });

  it('token rotation: ends with the new sandbox Running and verified with the new tokens', async () => {
    const old = live()[0]!.id;
    await p.write([alice({ image: IMAGE_V2, memory: '1G', tokenVersion: 'r2' })]);
    const applied = await p.owctl(['apply', '--auto-approve']);
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    await assertVerifiedNew(old);
  });

  it('a create-first replacement whose new sandbox got the old one\'s address (and Failed) is not confirmed: the old one stays', async () => {
    const old = live()[0]!;
    const backend = openSandboxBackend({
      spec: { type: 'opensandbox', url: p.standin.url, apiKey: API_KEY, requestTimeoutSecs: 30, renewOnAccess: false } as never,
      desired: { project: 'demo', sandboxes: [] } as never,
      secrets: [API_KEY],
    });
    const created = await fetch(`${p.standin.url}/v1/sandboxes`, {
      method: 'POST',
      headers: { 'OPEN-SANDBOX-API-KEY': API_KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ image: { uri: IMAGE_V2 }, entrypoint: ['/entry'], env: old.env, metadata: { ...old.metadata, 'owctl.dev/salt': 'ffffffffffffffffffffffffffffffff' } }),
    });
    const id = ((await created.json()) as { id: string }).id;
    await assert.rejects(backend.confirmReplacement!('alice', id, [old.id]), (error: { code?: string; message: string }) => {
      assert.equal(error.code, 'opensandbox.failed', error.message);
      assert.match(error.message, /Failed \(CONTAINER_EXITED_ERROR: Sandbox container exited with code 1\.\)/);
      return true;
    });
    await fetch(`${p.standin.url}/v1/sandboxes/${id}`, { method: 'DELETE', headers: { 'OPEN-SANDBOX-API-KEY': API_KEY } }).then((r) => r.arrayBuffer());
    assert.deepEqual(live().map((s) => [s.id, s.state]), [[old.id, 'Running']]);
  });
});
