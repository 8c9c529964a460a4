/**
 * The `events` verification step: through the URL a client uses, the event stream must deliver OpenCode's
 * server.connected at once and the session.created of a session the step creates. A real OpenCode stands behind
 * the fixture; a test proxy in front of it buffers the stream as misconfigured proxies do, and the step must fail
 * fast there (well before verify.timeout) with a hint naming buffering proxies.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { events, FIRST_EVENT_MS } from '../../src/verify/events.ts';
import { HttpClient } from '../../src/verify/http.ts';
import { readSse } from '../../src/verify/sse.ts';
import type { StepContext } from '../../src/verify/steps.ts';
import { verifyEndpoint } from '../../src/verify/verify.ts';
import { type BufferingMode, startBufferingProxy } from '../helpers/buffering-proxy.ts';
import { type RunningFixture, startFixture } from '../fixture/start-fixture.ts';

const CLIENT = 'events-step-client-token-0123456789';
const HOST = 'events-step-host-token-9876543210';
const WS = 'ws_c52ddf65534b';

async function runEvents(base: string, timeoutSecs: number) {
  const http = new HttpClient([CLIENT, HOST]);
  const ctx: StepContext = { http, base, target: { baseUrl: base, clientToken: CLIENT, hostToken: HOST, timeoutSecs }, workspaceId: WS };
  const started = performance.now();
  try {
    return { outcome: await events(ctx), ms: Math.round(performance.now() - started) };
  } finally {
    await http.close();
  }
}

async function sessionTitles(base: string): Promise<string[]> {
  const res = await fetch(`${base}/w/${WS}/opencode/session`, { headers: { authorization: `Bearer ${CLIENT}` } });
  return ((await res.json()) as Array<{ title: string }>).map((s) => s.title);
}

describe('reading server-sent events', () => {
  test('data lines of a block are joined; CRLF and CR end lines; a non-JSON payload is kept as text', async () => {
    const body = Readable.from([Buffer.from('data: {"type":"a"}\r\n\r\ndata: line one\ndata: line two\n\n: comment\n\ndata: {"type"'), Buffer.from(':"b"}\r\r')]);
    const stream = readSse(body as unknown as AsyncIterable<Buffer> & { destroy(): unknown });
    const last = await stream.waitFor((e) => (e as { type?: string }).type === 'b', 1_000);
    assert.deepEqual(last, { type: 'b' });
    assert.deepEqual(stream.received, [{ type: 'a' }, 'line one\nline two', { type: 'b' }]);
    assert.equal(await stream.waitFor(() => false, 1_000), undefined, 'an ended stream answers at once');
    stream.close();
  });
});

describe('the events step against the fixture (real OpenCode behind it)', () => {
  let fixture: RunningFixture;

  before(async () => {
    fixture = await startFixture({ clientToken: CLIENT, hostToken: HOST });
  });

  after(async () => {
    await fixture?.stop();
  });

  test('a direct connection passes: server.connected, then session.created for the session the step creates; the session is deleted', async () => {
    const result = await verifyEndpoint({ baseUrl: fixture.url, clientToken: CLIENT, hostToken: HOST, timeoutSecs: 60 });
    assert.equal(result.ok, true, JSON.stringify(result.failed));
    const step = result.steps.find((s) => s.step === 'events')!;
    assert.deepEqual([step.ok, step.status, step.url], [true, 200, `${fixture.url}/w/${WS}/opencode/event`]);
    assert.deepEqual(result.steps.map((s) => s.step).slice(-3), ['session', 'events', 'host-token']);
    assert.ok(!(await sessionTitles(fixture.url)).includes('owctl verify events'), 'the step deletes its session');
    console.log(`# events step, direct: ${step.durationMs} ms`);
  });

  const silent: Array<[BufferingMode, RegExp]> = [
    ['hold-body', /opened \(HTTP 200\) but no event arrived within 5 s/],
    ['first-chunk', /session\.created for the new session ses_\w+ did not arrive within 5 s \(the stream delivered: server\.connected\)/],
  ];
  for (const [mode, message] of silent) {
    test(`a proxy that buffers SSE (${mode}) fails the step fast, well within verify.timeout, with a hint naming buffering proxies`, async () => {
      const proxy = await startBufferingProxy(fixture.url, mode);
      try {
        const { outcome, ms } = await runEvents(proxy.url, 120);
        assert.equal(outcome.ok, false);
        assert.match(outcome.message ?? '', message);
        assert.match(outcome.hint ?? '', /proxy or load balancer .* buffers server-sent events/);
        assert.match(outcome.hint ?? '', /proxy_buffering off/);
        assert.ok(proxy.heldBytes() > 0, 'the proxy did hold event bytes');
        assert.ok(ms < FIRST_EVENT_MS + 7_000, `failed after ${ms} ms, not after the 120 s timeout`);
        assert.ok(!(await sessionTitles(fixture.url)).includes('owctl verify events'), 'the session is deleted even on failure');
        console.log(`# events step behind a ${mode} proxy: failed after ${ms} ms`);
      } finally {
        await proxy.close();
      }
    });
  }

  test('a proxy that holds the whole event stream (headers too) fails within verify.timeout', async () => {
    const proxy = await startBufferingProxy(fixture.url, 'hold-all');
    try {
      const { outcome, ms } = await runEvents(proxy.url, 2);
      assert.equal(outcome.ok, false);
      assert.match(outcome.message ?? '', /did not answer within 2 s/);
      assert.match(outcome.hint ?? '', /buffers server-sent events/);
      assert.ok(ms < 4_000, `bounded by verify.timeout (${ms} ms)`);
    } finally {
      await proxy.close();
    }
  });

  test('no secret reaches the outcome; a wrong token is refused with its status', async () => {
    const http = new HttpClient(['wrong-token-aaaaaaaaaaaaaaaa']);
    const base = fixture.url;
    const ctx: StepContext = { http, base, target: { baseUrl: base, clientToken: 'wrong-token-aaaaaaaaaaaaaaaa', hostToken: HOST, timeoutSecs: 5 }, workspaceId: WS };
    try {
      const outcome = await events(ctx);
      assert.deepEqual([outcome.ok, outcome.status], [false, 401]);
      assert.match(outcome.message ?? '', /HTTP 401 \(unauthorized\)/);
      assert.ok(!JSON.stringify(outcome).includes('wrong-token'));
    } finally {
      await http.close();
    }
  });
});
