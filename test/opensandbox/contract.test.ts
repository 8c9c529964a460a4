/**
 * Contract: every request owctl sends to OpenSandbox and every answer the stand-in gives is checked against the
 * lifecycle spec (../shared/data/opensandbox/sandbox-lifecycle.yml). Where the real server deviates from its spec,
 * the stand-in reproduces the deviation and this test asserts it by name rather than letting it pass unchecked.
 * Also: each error the server can give becomes a clear owctl error with a stable code and a hint.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { OpenSandboxClient } from '../../src/opensandbox/client.ts';
import type { Exchange } from '../opensandbox-standin/standin.ts';
import { API_KEY, Project, assertNoSecrets } from './project.ts';
import { SPEC_AVAILABLE, Spec } from './spec.ts';

const skip = SPEC_AVAILABLE ? false : 'the OpenSandbox spec (../shared/data/opensandbox/sandbox-lifecycle.yml) is not on this machine';

/** The real server's documented deviations from its spec, each recognised explicitly. */
function deviation(e: Exchange): string | undefined {
  const body = e.responseBody as { detail?: unknown } | undefined;
  if (e.status === 422 && Array.isArray(body?.detail)) return 'FastAPI 422 {detail:[…]} instead of 400 {code, message}';
  return undefined;
}

describe('OpenSandbox contract', { skip, timeout: 600_000 }, () => {
  let p: Project;
  let spec: Spec;
  const outputs: string[] = [];
  before(async () => {
    spec = new Spec();
    p = await Project.start();
    await p.write([{ name: 'alice', maxDuration: '2h' }, { name: 'bob', labels: { team: 'a' } }]);
    for (const args of [['apply', '--auto-approve'], ['plan'], ['status']]) {
      const r = await p.owctl(args);
      outputs.push(r.stdout, r.stderr);
      assert.equal(r.code, 0, r.stdout + r.stderr);
    }
    // In place: a label change (PATCH) and a longer max_duration (renew), then a replacement and a destroy.
    await p.write([{ name: 'alice', maxDuration: '4h' }, { name: 'bob', labels: { team: 'b' }, memory: '1G' }]);
    for (const args of [['apply', '--auto-approve'], ['destroy', '--auto-approve']]) {
      const r = await p.owctl(args);
      outputs.push(r.stdout, r.stderr);
      assert.equal(r.code, 0, r.stdout + r.stderr);
    }
  });
  after(async () => {
    await p?.close();
  });

  it('every request owctl sent and every answer matches the spec (deviations named)', () => {
    const exchanges = p.standin.exchanges().filter((e) => e.path !== '/health');
    const kinds = new Set(exchanges.map((e) => `${e.method} ${e.path.replace(/[0-9a-f-]{36}/g, '{id}')} ${e.status}`));
    for (const kind of ['POST /sandboxes 202', 'GET /sandboxes 200', 'PATCH /sandboxes/{id}/metadata 200', 'POST /sandboxes/{id}/renew-expiration 200', 'GET /sandboxes/{id}/endpoints/8787 200', 'DELETE /sandboxes/{id} 204']) {
      assert.ok(kinds.has(kind), `owctl made a ${kind} call (saw: ${[...kinds].join(', ')})`);
    }
    for (const exchange of exchanges) {
      const found = spec.problems(exchange);
      assert.deepEqual(found.request, [], `request ${exchange.method} ${exchange.path}`);
      if (deviation(exchange) === undefined) {
        assert.equal(found.undocumented, false, `status ${exchange.status} of ${exchange.method} ${exchange.path} is in the spec`);
        assert.deepEqual(found.response, [], `answer to ${exchange.method} ${exchange.path} (${exchange.status})`);
      }
      assert.match(exchange.headers['x-request-id']!, /^[0-9a-f]{32}$/, 'deviation: X-Request-ID is 32 hex, not the UUID the spec declares');
    }
  });

  it('reproduces the real server where it differs from the spec, and the spec says so', async () => {
    const client = new OpenSandboxClient({ url: p.standin.url, apiKey: API_KEY, timeoutMs: 10_000, secrets: [] });
    const start = p.standin.exchanges().length;
    // Create answers 202 already Running (Docker provisions synchronously).
    const created = await client.create({ image: { uri: 'openwork:dev' }, entrypoint: ['/e'], resourceLimits: { cpu: '1', memory: '512Mi' }, timeout: null, env: {}, metadata: { a: 'b' } }, 'x');
    assert.equal(created.status.state, 'Running');
    // pageSize is capped at 200.
    await client.list({ a: 'b' });
    const listed = p.standin.exchanges().slice(start).find((e) => e.method === 'GET' && e.path === '/sandboxes');
    assert.equal((listed!.responseBody as { pagination: { pageSize: number } }).pagination.pageSize, 200);
    // Renewing a sandbox created without expiry: 409; after delete: 404 at once.
    await assert.rejects(client.renew(created.id, new Date(Date.now() + 3_600_000).toISOString(), 'x'), { code: 'opensandbox.conflict' });
    await client.remove(created.id, 'x');
    await assert.rejects(client.get(created.id), { code: 'opensandbox.not_found' });
    // Validation: 422 with FastAPI's detail; the spec declares no 422 for create.
    await assert.rejects(client.create({ image: { uri: 'openwork:dev' }, entrypoint: [], resourceLimits: {}, timeout: 30, env: {}, metadata: {} }, 'x'), { code: 'opensandbox.invalid_request' });
    const invalid = p.standin.exchanges().at(-1)!;
    assert.equal(invalid.status, 422);
    assert.equal(spec.problems(invalid).undocumented, true, 'the spec has no 422: a deviation, asserted here');
    assert.ok(deviation(invalid));
    // A metadata value outside label syntax: 400 INVALID_METADATA_LABEL.
    await assert.rejects(client.create({ image: { uri: 'openwork:dev' }, entrypoint: ['/e'], resourceLimits: {}, timeout: null, env: {}, metadata: { hash: '1:abc' } }, 'x'), (error: { code: string; message: string }) => {
      assert.equal(error.code, 'opensandbox.invalid_request');
      assert.match(error.message, /INVALID_METADATA_LABEL/);
      return true;
    });
    await client.close();
  });

  it('no token or API key in any output or request URL', () => {
    assertNoSecrets([...outputs, ...p.standin.exchanges().map((e) => e.path + e.query)], p.secrets(['alice', 'bob']));
  });
});

describe('OpenSandbox failures reported clearly', { timeout: 300_000 }, () => {
  let p: Project;
  before(async () => {
    p = await Project.start();
  });
  after(async () => {
    await p?.close();
  });

  it('a wrong API key: opensandbox.unauthorized with a hint, --json carries the code, the key never shown', async () => {
    await p.write([{ name: 'alice' }]);
    const r = await p.owctl(['plan', '--json'], { OPEN_SANDBOX_API_KEY: 'osk-wrong-key-0000000000' });
    assert.equal(r.code, 1);
    assert.equal(JSON.parse(r.stdout).error.code, 'opensandbox.unauthorized');
    assert.match(r.stderr, /hint: check backend\.api_key/);
    assertNoSecrets([r.stdout, r.stderr], ['osk-wrong-key-0000000000', API_KEY]);
  });

  it('an image the server cannot pull: opensandbox.image_pull at the create step, nothing else changed', async () => {
    await p.write([{ name: 'alice', image: 'openwork:missing' }]);
    const r = await p.owctl(['apply', '--auto-approve', '--json']);
    assert.equal(r.code, 1);
    const failed = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l)).find((e) => e.type === 'change_failed');
    assert.deepEqual([failed.sandbox, failed.step, failed.code], ['alice', 'create', 'opensandbox.image_pull']);
    assert.match(failed.hint, /image reference/);
    assert.deepEqual(p.standin.sandboxes(), []);
  });

  it('a request the server rejects (422): opensandbox.invalid_request naming the field, no echoed value', async () => {
    // A max_duration under the server's 60 s floor slips past nothing: owctl's own check catches it first.
    await p.write([{ name: 'alice', maxDuration: '30s' }]);
    const invalid = await p.owctl(['validate']);
    assert.equal(invalid.code, 1);
    assert.match(invalid.stderr, /max_duration must be at least 60s on the opensandbox backend/);
    // The server's own 422 (a value only it rejects), through the client: location and message, never the input.
    const client = new OpenSandboxClient({ url: p.standin.url, apiKey: API_KEY, timeoutMs: 10_000, secrets: ['token-value-123456789'] });
    await assert.rejects(
      client.create({ image: { uri: 'openwork:dev' }, entrypoint: ['/e'], resourceLimits: {}, timeout: null, env: { OPENWORK_TOKEN: 5 as unknown as string }, metadata: {} }, 'alice'),
      (error: { code: string; message: string; hint: string }) => {
        assert.equal(error.code, 'opensandbox.invalid_request');
        assert.match(error.message, /\(HTTP 422\): env\.OPENWORK_TOKEN: Input should be a valid string/);
        assert.ok(error.hint.length > 0);
        return true;
      },
    );
    await client.close();
  });

  it('an unreachable server: opensandbox.unreachable naming the URL', async () => {
    await p.write([{ name: 'alice' }]);
    const r = await p.owctl(['plan', '--json'], { OPEN_SANDBOX_URL: 'http://127.0.0.1:9' });
    assert.equal(r.code, 1);
    assert.equal(JSON.parse(r.stdout).error.code, 'opensandbox.unreachable');
    assert.match(r.stderr, /127\.0\.0\.1:9/);
  });
});
