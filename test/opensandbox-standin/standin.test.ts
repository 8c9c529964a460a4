/**
 * The stand-in is as strict as the real server (facts: ../shared/reference/opensandbox-lifecycle.md, "The real
 * server, observed"). Each test names the fact it models; owctl's tests are only as good as these answers.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { eventually } from '../e2e/harness.ts';
import { freePort } from '../helpers/ports.ts';
import { OpenSandboxStandin, type StandinOptions } from './standin.ts';

const KEY = 'standin-test-key-7c1e';
const TOKENS = { OPENWORK_TOKEN: 'client-standin-test-1', OPENWORK_HOST_TOKEN: 'host-standin-test-1' };

const started: OpenSandboxStandin[] = [];
async function standin(options: StandinOptions = {}): Promise<OpenSandboxStandin> {
  const s = new OpenSandboxStandin({ apiKey: KEY, opencode: 'own', ...options });
  await s.start();
  started.push(s);
  return s;
}
after(async () => {
  await Promise.all(started.map((s) => s.stop()));
});

async function call(s: OpenSandboxStandin, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${s.url}/v1${path}`, {
    method,
    headers: { 'OPEN-SANDBOX-API-KEY': KEY, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? undefined : JSON.parse(text) };
}

const create = (s: OpenSandboxStandin, extra: Record<string, unknown> = {}) =>
  call(s, 'POST', '/sandboxes', { image: { uri: 'openwork:dev' }, entrypoint: ['/entry'], timeout: 3600, metadata: { app: 'x' }, ...extra });

describe('OpenSandbox stand-in models the real server', { timeout: 120_000 }, () => {
  it('host network mode: every sandbox gets the same "{server.host}:{port}" endpoint, with no /proxy/', async () => {
    const s = await standin({ endpointMode: 'host' });
    const a = (await create(s)).body.id;
    const b = (await create(s)).body.id;
    const [ea, eb] = [await call(s, 'GET', `/sandboxes/${a}/endpoints/8787`), await call(s, 'GET', `/sandboxes/${b}/endpoints/8787`)];
    assert.deepEqual([ea.body.endpoint, eb.body.endpoint], ['127.0.0.1:8787', '127.0.0.1:8787']);
  });

  it('host network mode: a port taken by an older sandbox makes the newer one exit (EADDRINUSE) → Failed, CONTAINER_EXITED_ERROR', async () => {
    const port = await freePort();
    const s = await standin({ endpointMode: 'host' });
    const env = { ...TOKENS, OPENWORK_PORT: String(port) };
    const first = await create(s, { env });
    assert.equal((await call(s, 'GET', `/sandboxes/${first.body.id}`)).body.status.state, 'Running');
    const health = await fetch(`http://127.0.0.1:${port}/health`);
    assert.equal(health.status, 200, 'the first sandbox serves on the shared host port');
    await health.arrayBuffer();
    const second = await create(s, { env });
    assert.equal(second.body.status.state, 'Running', 'create answers Running synchronously, before the exit');
    const read = (await call(s, 'GET', `/sandboxes/${second.body.id}`)).body;
    assert.deepEqual([read.status.state, read.status.reason, read.status.message], ['Failed', 'CONTAINER_EXITED_ERROR', 'Sandbox container exited with code 1.']);
  });

  it('bridge network mode: "127.0.0.1:<execd port>/proxy/<port>", a different address per sandbox, forwarded to the server', async () => {
    const s = await standin({ endpointMode: 'bridge' });
    const ids = [(await create(s, { env: TOKENS })).body.id, (await create(s, { env: TOKENS })).body.id];
    const endpoints = await Promise.all(ids.map(async (id) => (await call(s, 'GET', `/sandboxes/${id}/endpoints/8787`)).body.endpoint as string));
    for (const endpoint of endpoints) assert.match(endpoint, /^127\.0\.0\.1:\d+\/proxy\/8787$/);
    assert.notEqual(endpoints[0], endpoints[1]);
    const health = await fetch(`http://${endpoints[0]}/health`);
    assert.equal(health.status, 200);
    await health.arrayBuffer();
  });

  it('a command that exits: Failed for a non-zero code, Terminated for 0, lastTransitionAt the exit time', async () => {
    const s = await standin();
    const [a, b] = [(await create(s)).body.id, (await create(s)).body.id];
    await s.exit(a, 127);
    await s.exit(b, 0);
    const [ra, rb] = [(await call(s, 'GET', `/sandboxes/${a}`)).body, (await call(s, 'GET', `/sandboxes/${b}`)).body];
    assert.deepEqual([ra.status.state, ra.status.message], ['Failed', 'Sandbox container exited with code 127.']);
    assert.equal(rb.status.state, 'Terminated');
    assert.ok(Date.parse(ra.status.lastTransitionAt) >= Date.parse(ra.createdAt));
  });

  it('pause of a paused sandbox → 500 DOCKER::SANDBOX_PAUSE_FAILED; resume of a running one → 409 DOCKER::SANDBOX_NOT_PAUSED', async () => {
    const s = await standin();
    const id = (await create(s)).body.id;
    assert.equal((await call(s, 'POST', `/sandboxes/${id}/resume`)).body.code, 'DOCKER::SANDBOX_NOT_PAUSED');
    assert.equal((await call(s, 'POST', `/sandboxes/${id}/pause`)).status, 202);
    const again = await call(s, 'POST', `/sandboxes/${id}/pause`);
    assert.deepEqual([again.status, again.body.code], [500, 'DOCKER::SANDBOX_PAUSE_FAILED']);
    assert.equal((await call(s, 'POST', `/sandboxes/${id}/resume`)).status, 202);
  });

  it('list: pageSize > 200 → 422; newest first; a page past the end → items [] (200); empty → totalPages 0; metadata=k → 400 INVALID_METADATA_FORMAT', async () => {
    const s = await standin();
    assert.equal((await call(s, 'GET', '/sandboxes?pageSize=201')).status, 422);
    const empty = (await call(s, 'GET', '/sandboxes?pageSize=200')).body;
    assert.deepEqual([empty.items, empty.pagination.totalPages], [[], 0]);
    const first = (await create(s)).body.id;
    await eventually(async () => Date.now() > Date.parse((await call(s, 'GET', `/sandboxes/${first}`)).body.createdAt), 2_000, 'the clock to move past the first create');
    const second = (await create(s)).body.id;
    const listed = (await call(s, 'GET', '/sandboxes?pageSize=200')).body;
    assert.deepEqual(listed.items.map((i: { id: string }) => i.id), [second, first]);
    assert.deepEqual((await call(s, 'GET', '/sandboxes?page=5&pageSize=200')).body.items, []);
    const bad = await call(s, 'GET', `/sandboxes?metadata=${encodeURIComponent('app')}`);
    assert.deepEqual([bad.status, bad.body.code], [400, 'INVALID_METADATA_FORMAT']);
  });

  it('renewal is not durable: after a server restart expiresAt falls back to the creation value; metadata survives', async () => {
    const s = await standin();
    const created = (await create(s)).body;
    const later = new Date(Date.parse(created.expiresAt) + 3_600_000).toISOString();
    assert.equal((await call(s, 'POST', `/sandboxes/${created.id}/renew-expiration`, { expiresAt: later })).status, 200);
    assert.equal((await call(s, 'PATCH', `/sandboxes/${created.id}/metadata`, { team: 'a' })).status, 200);
    s.restart();
    const read = (await call(s, 'GET', `/sandboxes/${created.id}`)).body;
    assert.deepEqual([read.expiresAt, read.metadata.team], [created.expiresAt, 'a']);
  });

  it('error codes are namespaced and mixed: DOCKER::SANDBOX_NOT_FOUND, SANDBOX::INVALID_METADATA_LABEL, bare MISSING_API_KEY / INVALID_API_KEY', async () => {
    const s = await standin();
    assert.equal((await call(s, 'GET', '/sandboxes/00000000-0000-0000-0000-000000000000')).body.code, 'DOCKER::SANDBOX_NOT_FOUND');
    assert.equal((await create(s, { metadata: { bad: 'a b' } })).body.code, 'SANDBOX::INVALID_METADATA_LABEL');
    const missing = await fetch(`${s.url}/v1/sandboxes`);
    assert.deepEqual([missing.status, ((await missing.json()) as { code: string }).code], [401, 'MISSING_API_KEY']);
    const wrong = await fetch(`${s.url}/v1/sandboxes`, { headers: { 'OPEN-SANDBOX-API-KEY': 'wrong' } });
    assert.deepEqual([wrong.status, ((await wrong.json()) as { code: string }).code], [401, 'INVALID_API_KEY']);
  });

  it('create with timeout above max_sandbox_timeout_seconds → 400 SANDBOX::INVALID_PARAMETER naming the maximum', async () => {
    const s = await standin({ maxTimeoutSecs: 86_400 });
    const refused = await create(s, { timeout: 90_000 });
    assert.deepEqual([refused.status, refused.body.code], [400, 'SANDBOX::INVALID_PARAMETER']);
    assert.match(refused.body.message, /exceeds configured maximum of 86400s/);
  });

  it('execd runs a command in the guest with the create request\'s env, at the endpoint of port 44772 (bridge and gateway)', async () => {
    for (const endpointMode of ['bridge', 'gateway'] as const) {
      const s = await standin({ endpointMode });
      const id = (await create(s, { env: { ...TOKENS, SOME_VAR: 'fake-value' } })).body.id;
      const at = (await call(s, 'GET', `/sandboxes/${id}/endpoints/44772`)).body as { endpoint: string; headers?: Record<string, string> };
      const run = async (command: string) => {
        const res = await fetch(`http://${at.endpoint}/command`, { method: 'POST', headers: { ...at.headers, 'content-type': 'application/json' }, body: JSON.stringify({ command }) });
        assert.equal(res.status, 200, endpointMode);
        return (await res.text()).split('\n\n').filter(Boolean).map((frame) => JSON.parse(frame.replace(/^data: /, '')) as { type: string; text?: string; error?: { evalue: string } });
      };
      const set = await run('printenv SOME_VAR');
      assert.deepEqual(set.map((e) => e.type), ['init', 'stdout', 'execution_complete']);
      assert.equal(set[1]!.text, 'fake-value\n');
      s.guestEnv(id, { SOME_VAR: 'from-the-image' });
      assert.equal((await run('printenv SOME_VAR'))[1]!.text, 'from-the-image\n');
      const unset = await run('printenv NOT_SET');
      assert.deepEqual([unset.at(-1)!.type, unset.at(-1)!.error?.evalue], ['error', '1']);
    }
  });
});
