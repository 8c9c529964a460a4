/**
 * The `events` verification step: through the URL a client uses, the event stream must deliver OpenCode's
 * server.connected at once and the session.created of a session the step creates. Behind the fixture stands the
 * event part of OpenCode (test/helpers/event-opencode.ts, checked against the real one in
 * test/fixture/event-stream.test.ts; test/verify/verify.test.ts runs the step against a real OpenCode); a test proxy
 * in front buffers the stream as misconfigured proxies do, and the step must fail fast there (well before
 * verify.timeout) with a hint naming buffering proxies.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, test, type TestContext } from 'node:test';
import { events, FIRST_EVENT_MS } from '../../src/verify/events.ts';
import { HttpClient } from '../../src/verify/http.ts';
import { readSse } from '../../src/verify/sse.ts';
import type { StepContext } from '../../src/verify/steps.ts';
import { type BufferingMode, startBufferingProxy } from '../helpers/buffering-proxy.ts';
import { runCli } from '../helpers/cli.ts';
import { type EventOpencode, startEventOpencode } from '../helpers/event-opencode.ts';
import { type RunningFixture, startFixture } from '../fixture/start-fixture.ts';

const CLIENT = 'events-step-client-token-0123456789';
const HOST = 'events-step-host-token-9876543210';
const WS = 'ws_c52ddf65534b';

async function runEvents(base: string, timeoutSecs: number) {
  const http = new HttpClient([CLIENT, HOST]);
  const ctx: StepContext = { http, base, target: { baseUrl: base, clientToken: CLIENT, hostToken: HOST, timeoutSecs }, workspaceId: WS, runId: 'events-test', deadline: Date.now() + timeoutSecs * 1000 };
  const started = performance.now();
  try {
    return { outcome: await events(ctx), ms: Math.round(performance.now() - started) };
  } finally {
    await http.close();
  }
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

/** A fixture of the test's own, with its own stand-in OpenCode (whose sessions the test counts), stopped after it. */
async function ownFixture(t: TestContext): Promise<{ opencode: EventOpencode; fixture: RunningFixture }> {
  const opencode = await startEventOpencode();
  t.after(() => opencode.close());
  const fixture = await startFixture({ clientToken: CLIENT, hostToken: HOST, env: { OPENWORK_FIXTURE_OPENCODE_URL: opencode.url } });
  t.after(() => fixture.stop());
  return { opencode, fixture };
}

// The tests run at once, each with its own fixture: most of their time is the step's own bounds waited out (5 s for
// a first event, verify.timeout), which is what they prove.
describe('the events step against the fixture', { concurrency: true }, () => {

  test('a direct connection passes: server.connected, then session.created for the session the step creates; the session is deleted', async (t) => {
    const { opencode, fixture } = await ownFixture(t);
    const { outcome, ms } = await runEvents(fixture.url, 60);
    assert.deepEqual(outcome, { ok: true, url: `${fixture.url}/w/${WS}/opencode/event`, status: 200 });
    assert.deepEqual(opencode.sessions(), [], 'the step deletes its session');
    console.log(`# events step, direct: ${ms} ms`);
  });

  const silent: Array<[BufferingMode, RegExp]> = [
    ['hold-body', /opened \(HTTP 200\) but no event arrived within 5 s/],
    ['first-chunk', /session\.created for the new session ses_\w+ did not arrive within 5 s \(the stream delivered: server\.connected\)/],
  ];
  for (const [mode, message] of silent) {
    test(`a proxy that buffers SSE (${mode}) fails the step fast, well within verify.timeout, with a hint naming buffering proxies`, async (t) => {
      const { opencode, fixture } = await ownFixture(t);
      const proxy = await startBufferingProxy(fixture.url, mode);
      try {
        const { outcome, ms } = await runEvents(proxy.url, 120);
        assert.equal(outcome.ok, false);
        assert.match(outcome.message ?? '', message);
        assert.match(outcome.hint ?? '', /proxy or load balancer .* buffers server-sent events/);
        assert.match(outcome.hint ?? '', /proxy_buffering off/);
        assert.ok(proxy.heldBytes() > 0, 'the proxy did hold event bytes');
        assert.ok(ms < FIRST_EVENT_MS + 7_000, `failed after ${ms} ms, not after the 120 s timeout`);
        assert.deepEqual(opencode.sessions(), [], 'the session is deleted even on failure');
        console.log(`# events step behind a ${mode} proxy: failed after ${ms} ms`);
      } finally {
        await proxy.close();
      }
    });
  }

  test('owctl verify --url behind a buffering proxy exits 1 at step events, naming its URL and buffering proxies; every other step passes', async (t) => {
    const { fixture } = await ownFixture(t);
    const proxy = await startBufferingProxy(fixture.url, 'hold-body');
    try {
      const env = { PATH: process.env.PATH, OPENWORK_TOKEN: CLIENT, OPENWORK_HOST_TOKEN: HOST };
      const direct = await runCli(['verify', '--url', fixture.url, '--timeout', '60s'], { env });
      assert.equal(direct.code, 0, direct.stdout + direct.stderr);
      const started = performance.now();
      const result = await runCli(['verify', '--url', proxy.url, '--timeout', '60s', '--json'], { env });
      const ms = Math.round(performance.now() - started);
      assert.equal(result.code, 1, result.stdout + result.stderr);
      const target = JSON.parse(result.stdout).targets[0];
      assert.deepEqual(target.steps.map((s: { step: string; ok: boolean }) => [s.step, s.ok]), [['health', true], ['unauthorized', true], ['default-tokens', true], ['authorized', true], ['session', true], ['events', false]]);
      const failed = target.steps.at(-1);
      assert.equal(failed.url, `${proxy.url}/w/${WS}/opencode/event`);
      assert.match(failed.hint, /buffers server-sent events/);
      assert.ok(ms < 15_000, `failed after ${ms} ms, not after the 60 s timeout`);
      assert.ok(!result.stdout.includes(CLIENT) && !result.stdout.includes(HOST));
    } finally {
      await proxy.close();
    }
  });

  test('a proxy that holds the whole event stream (headers too) fails within verify.timeout', async (t) => {
    const { fixture } = await ownFixture(t);
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

  test('no secret reaches the outcome; a wrong token is refused with its status', async (t) => {
    const { fixture } = await ownFixture(t);
    const http = new HttpClient(['wrong-token-aaaaaaaaaaaaaaaa']);
    const base = fixture.url;
    const ctx: StepContext = { http, base, target: { baseUrl: base, clientToken: 'wrong-token-aaaaaaaaaaaaaaaa', hostToken: HOST, timeoutSecs: 5 }, workspaceId: WS, runId: 'events-test', deadline: Date.now() + 5_000 };
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
