/**
 * verifyEndpoint against the OpenWork server fixture (a real OpenCode behind it) and against servers that lie:
 * each broken setup fails at the step that proves the broken thing, with the URL, status and a hint.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { probeHealth } from '../../src/verify/probe.ts';
import { type VerifyStepResult, verifyEndpoint } from '../../src/verify/verify.ts';
import { isAlive, type RunningFixture, startFixture } from '../fixture/start-fixture.ts';

const CLIENT = 'verify-client-token-0123456789';
const HOST = 'verify-host-token-9876543210';
const WRONG = 'wrong-token-aaaaaaaaaaaaaaaa';

async function listen(handler: Parameters<typeof createServer>[1]): Promise<{ url: string; server: Server }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

/** A port nothing listens on (bound, then released). */
async function deadUrl(): Promise<string> {
  const { url, server } = await listen(() => undefined);
  await close(server);
  return url;
}

function assertNoSecrets(value: unknown, secrets: string[]): void {
  const text = JSON.stringify(value);
  for (const secret of secrets) assert.ok(!text.includes(secret), `result leaks ${secret.slice(0, 8)}…`);
}

describe('verifyEndpoint against the fixture', () => {
  let fixture: RunningFixture;

  before(async () => {
    fixture = await startFixture({ clientToken: CLIENT, hostToken: HOST });
  });

  after(async () => {
    const opencode = fixture?.opencode();
    await fixture?.stop();
    if (opencode) assert.equal(isAlive(opencode.pid), false, 'the fixture OpenCode is gone');
  });

  test('a good server passes every step, in order, reported as they finish', async () => {
    const seen: VerifyStepResult[] = [];
    // The verification's timeout bounds OpenCode's first session too: a first session on this OpenCode can take seconds.
    const result = await verifyEndpoint({ baseUrl: `${fixture.url}/`, clientToken: CLIENT, hostToken: HOST, timeoutSecs: 60 }, (s) => seen.push(s));
    assert.equal(result.ok, true, JSON.stringify(result.failed));
    assert.equal(result.failed, undefined);
    assert.deepEqual(result.steps.map((s) => [s.step, s.ok, s.status]), [
      ['health', true, 200],
      ['unauthorized', true, 401],
      ['default-tokens', true, undefined],
      ['authorized', true, 200],
      ['session', true, 200],
      ['events', true, 200],
      ['host-token', true, 200],
    ]);
    assert.deepEqual(seen, result.steps);
    assert.equal(result.steps.find((s) => s.step === 'session')!.url, `${fixture.url}/w/ws_c52ddf65534b/opencode/session`);
    for (const step of result.steps) assert.ok(step.durationMs >= 0);
    const session = result.steps.find((s) => s.step === 'session')!;
    console.log(`# verify against the fixture: ${result.steps.map((s) => `${s.step} ${s.durationMs} ms`).join(', ')}`);
    assert.equal(session.message, undefined, 'the session was deleted');
    // The /workspaces body carries OpenCode credentials; none of it may reach the result.
    const workspaces = await (await fetch(`${fixture.url}/workspaces`, { headers: { authorization: `Bearer ${CLIENT}` } })).json();
    assertNoSecrets(result, [CLIENT, HOST, workspaces.items[0].opencode.password]);
  });

  test('the verification session is deleted afterwards', async () => {
    const list = await fetch(`${fixture.url}/w/ws_c52ddf65534b/opencode/session`, { headers: { authorization: `Bearer ${CLIENT}` } });
    const sessions = (await list.json()) as Array<{ title: string }>;
    assert.deepEqual(sessions.filter((s) => s.title.startsWith('owctl-verify-')), []);
  });

  test('a wrong client token fails at `authorized` with 401 and a hint about tokens.client', async () => {
    const result = await verifyEndpoint({ baseUrl: fixture.url, clientToken: WRONG, hostToken: HOST, timeoutSecs: 5 });
    assert.equal(result.ok, false);
    assert.deepEqual(result.steps.map((s) => s.step), ['health', 'unauthorized', 'default-tokens', 'authorized']);
    assert.equal(result.failed?.step, 'authorized');
    assert.equal(result.failed?.status, 401);
    assert.equal(result.failed?.url, `${fixture.url}/workspaces`);
    assert.match(result.failed?.hint ?? '', /different client token.*tokens\.client/);
    assertNoSecrets(result, [WRONG, HOST]);
  });

  test('a wrong host token fails at `host-token` with 401', async () => {
    const result = await verifyEndpoint({ baseUrl: fixture.url, clientToken: CLIENT, hostToken: WRONG, timeoutSecs: 5 });
    assert.equal(result.failed?.step, 'host-token');
    assert.equal(result.failed?.status, 401);
    assert.equal(result.failed?.url, `${fixture.url}/tokens`);
    assert.match(result.failed?.hint ?? '', /different host token.*tokens\.host/);
    assert.equal(result.steps.length, 7);
    assertNoSecrets(result, [CLIENT, WRONG]);
  });

  test('probeHealth says up', async () => {
    assert.equal(await probeHealth(fixture.url), 'up');
  });
});

describe('verifyEndpoint against broken endpoints', () => {
  test('nothing listening: `health` fails after the timeout, naming the refused connection', async () => {
    const url = await deadUrl();
    const started = performance.now();
    const result = await verifyEndpoint({ baseUrl: url, clientToken: CLIENT, hostToken: HOST, timeoutSecs: 1 });
    const elapsed = performance.now() - started;
    assert.equal(result.failed?.step, 'health');
    assert.equal(result.steps.length, 1);
    assert.equal(result.failed?.status, undefined);
    assert.equal(result.failed?.url, `${url}/health`);
    assert.match(result.failed?.message ?? '', /connection refused/);
    assert.match(result.failed?.hint ?? '', /owctl status/);
    assert.ok(elapsed >= 900 && elapsed < 3000, `waited ${elapsed} ms`);
    assert.equal(await probeHealth(url), 'down');
  });

  test('a server that starts late is waited for', async () => {
    const url = await deadUrl();
    const port = Number(new URL(url).port);
    let server: Server | undefined;
    const late = setTimeout(() => {
      server = createServer((req, res) => {
        const authorized = req.headers.authorization === `Bearer ${CLIENT}`;
        res.writeHead(req.url === '/health' || authorized ? 200 : 401, { 'content-type': 'application/json' }).end('{"ok":true}');
      }).listen(port, '127.0.0.1');
    }, 300);
    try {
      const result = await verifyEndpoint({ baseUrl: url, clientToken: CLIENT, hostToken: HOST, timeoutSecs: 5 });
      assert.equal(result.steps[0]!.ok, true);
      assert.ok(result.steps[0]!.durationMs >= 250);
      assert.equal(result.failed?.step, 'authorized', 'this stub lists no workspace');
      assert.match(result.failed?.message ?? '', /no workspace/);
    } finally {
      clearTimeout(late);
      if (server) await close(server);
    }
  });

  test('a server that answers 200 without a token fails at `unauthorized`', async () => {
    const { url, server } = await listen((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true,"items":[]}'));
    try {
      const result = await verifyEndpoint({ baseUrl: url, clientToken: CLIENT, hostToken: HOST, timeoutSecs: 2 });
      assert.equal(result.failed?.step, 'unauthorized');
      assert.equal(result.failed?.status, 200);
      assert.match(result.failed?.message ?? '', /without a token/);
      assert.match(result.failed?.hint ?? '', /client token/);
    } finally {
      await close(server);
    }
  });

  test('a server that accepts but never answers: `health` fails on time', async () => {
    const { url, server } = await listen(() => undefined);
    try {
      const started = performance.now();
      const result = await verifyEndpoint({ baseUrl: url, clientToken: CLIENT, hostToken: HOST, timeoutSecs: 1 });
      assert.equal(result.failed?.step, 'health');
      assert.match(result.failed?.message ?? '', /did not answer/);
      assert.ok(performance.now() - started < 3000);
    } finally {
      await close(server);
    }
  });

  test('OpenCode unreachable behind the server fails at `session` with 500 and a hint about OpenCode', async () => {
    const fixture = await startFixture({ clientToken: CLIENT, hostToken: HOST, env: { OPENWORK_FIXTURE_OPENCODE_URL: await deadUrl() } });
    try {
      const result = await verifyEndpoint({ baseUrl: fixture.url, clientToken: CLIENT, hostToken: HOST, timeoutSecs: 5 });
      assert.equal(result.failed?.step, 'session');
      assert.equal(result.failed?.status, 500);
      assert.match(result.failed?.message ?? '', /internal_error/);
      assert.match(result.failed?.hint ?? '', /OpenCode/);
    } finally {
      await fixture.stop();
    }
  });

  test('a session that cannot be read back is still deleted', async () => {
    const deleted: string[] = [];
    const { url, server } = await listen((req, res) => {
      const json = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      const authorized = req.headers.authorization === `Bearer ${CLIENT}`;
      if (req.url === '/health') return json(200, { ok: true });
      if (!authorized) return json(401, { code: 'unauthorized', message: 'Invalid bearer token' });
      if (req.url === '/workspaces') return json(200, { items: [{ id: 'ws_1' }] });
      if (req.method === 'POST') return json(200, { id: 'ses_1' });
      if (req.method === 'DELETE') return deleted.push(req.url ?? '') && json(200, true);
      return json(500, { name: 'UnknownError', data: { message: `echo ${CLIENT}` } });
    });
    try {
      const result = await verifyEndpoint({ baseUrl: url, clientToken: CLIENT, hostToken: HOST, timeoutSecs: 2 });
      assert.equal(result.failed?.step, 'session');
      assert.equal(result.failed?.url, `${url}/w/ws_1/opencode/session/ses_1`);
      assert.equal(result.failed?.status, 500);
      assert.match(result.failed?.message ?? '', /reading the session answered HTTP 500 \(UnknownError\)/);
      assert.deepEqual(deleted, ['/w/ws_1/opencode/session/ses_1']);
      assertNoSecrets(result, [CLIENT, HOST]);
    } finally {
      await close(server);
    }
  });

  test('an aborted verification stops and says so', async () => {
    const url = await deadUrl();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const started = performance.now();
    const result = await verifyEndpoint({ baseUrl: url, clientToken: CLIENT, hostToken: HOST, timeoutSecs: 30 }, undefined, controller.signal);
    assert.equal(result.failed?.step, 'health');
    assert.match(result.failed?.message ?? '', /interrupted/);
    assert.ok(performance.now() - started < 2000);
  });
});
