/**
 * owctl's verification sessions on a cold OpenCode, modelled on the real server (openwork-server.md, "Cold OpenCode"):
 * without registry access OpenCode's first session took 16–144 s, and a session whose creation the client abandoned
 * was still created 80–144 s later, and stayed. The fixture's OPENWORK_FIXTURE_COLD_START_MS models that, in seconds.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { lastClientActivity } from '../../src/verify/activity.ts';
import { verifyEndpoint, type WaitingListener } from '../../src/verify/verify.ts';
import { type RunningFixture, startFixture } from '../fixture/start-fixture.ts';
import { type EventOpencode, startEventOpencode } from '../helpers/event-opencode.ts';

const CLIENT = 'late-client-token-0123456789';
const HOST = 'late-host-token-9876543210';
const SESSIONS = '/w/ws_c52ddf65534b/opencode/session';
const COLD_MS = 4_000;

async function titles(fixture: RunningFixture): Promise<string[]> {
  const answer = await fetch(`${fixture.url}${SESSIONS}`, { headers: { authorization: `Bearer ${CLIENT}` }, signal: AbortSignal.timeout(60_000) });
  return ((await answer.json()) as Array<{ title: string }>).map((s) => s.title).sort();
}

async function eventually(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 25; !(await check()); delay = Math.min(delay * 2, 250)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

describe('verification sessions on a cold OpenCode', () => {
  let fixture: RunningFixture;
  let opencode: EventOpencode;
  before(async () => {
    // Fidelity: the stand-in of OpenCode's routes (test/helpers/event-opencode.ts, checked against the real one in
    // test/fixture/event-stream.test.ts) behind the fixture: the cold start is the fixture's model
    // (OPENWORK_FIXTURE_COLD_START_MS), the facts are owctl's. A real OpenCode start costs 10-30 s here;
    // verify.test.ts keeps a real one behind the fixture.
    opencode = await startEventOpencode();
    fixture = await startFixture({ clientToken: CLIENT, hostToken: HOST, env: { OPENWORK_FIXTURE_COLD_START_MS: String(COLD_MS), OPENWORK_FIXTURE_OPENCODE_URL: opencode.url } });
  });
  after(async () => {
    await fixture?.stop();
    await opencode?.close();
  });

  test('the session step waits only what is left of verify.timeout (not a fixed 30 s) and says what it waits for', async () => {
    const notes: Parameters<WaitingListener>[0][] = [];
    const started = performance.now();
    const result = await verifyEndpoint({ baseUrl: fixture.url, clientToken: CLIENT, hostToken: HOST, timeoutSecs: 2, runId: 'first' }, undefined, undefined, (note) => notes.push(note));
    const elapsed = performance.now() - started;
    assert.equal(result.failed?.step, 'session', JSON.stringify(result.failed));
    assert.ok(elapsed < 3_000, `bounded by the 2 s verify timeout, took ${Math.round(elapsed)} ms`);
    assert.match(result.failed?.message ?? '', /no answer within \ds .*the server may still create it later, and the next verification or keepalive pass deletes it/);
    assert.match(result.failed?.hint ?? '', /cold OpenCode first installs its plugins/);
    assert.ok(notes.some((n) => n.step === 'session' && /OpenCode to create a session/.test(n.what)), JSON.stringify(notes));
  });

  test('a verification leaves alone another run\'s session young enough to be in use (a concurrent verification deletes its own)', async () => {
    await eventually(async () => (await titles(fixture)).includes('owctl-verify-first'), 60_000, 'the late session');
    const result = await verifyEndpoint({ baseUrl: fixture.url, clientToken: CLIENT, hostToken: HOST, timeoutSecs: 10, runId: 'concurrent' });
    assert.equal(result.ok, true, JSON.stringify(result.failed));
    assert.deepEqual((await titles(fixture)).filter((t) => t.startsWith('owctl-verify-')), ['owctl-verify-first']);
  });

  test('a session created after its verification gave up carries owctl-verify-<run id>, and the next verification deletes it', async () => {
    await eventually(async () => (await titles(fixture)).includes('owctl-verify-first'), 60_000, 'the late session');
    // A verification a minute later: the late session is then older than any verification keeps its own.
    const result = await verifyEndpoint({ baseUrl: fixture.url, clientToken: CLIENT, hostToken: HOST, timeoutSecs: 10, runId: 'second', nowMs: () => Date.now() + 60_000 });
    assert.equal(result.ok, true, JSON.stringify(result.failed));
    assert.match(result.steps.find((s) => s.step === 'session')?.message ?? '', /deleted 1 verification session of earlier runs/);
    assert.deepEqual((await titles(fixture)).filter((t) => t.startsWith('owctl-verify-')), []);
  });

  test('keepalive never counts a verification session as client use, and deletes one left behind', async () => {
    const post = (title: string) =>
      fetch(`${fixture.url}${SESSIONS}`, { method: 'POST', headers: { authorization: `Bearer ${CLIENT}`, 'content-type': 'application/json' }, body: JSON.stringify({ title }) });
    assert.equal((await post('owctl-verify-third')).status, 200);
    const young = await lastClientActivity(fixture.url, CLIENT);
    assert.deepEqual(young, { kind: 'known', lastUsedMs: null, removedVerifySessions: 0 }, 'not use; and one this young may belong to a verification still running');
    const later = await lastClientActivity(fixture.url, CLIENT, undefined, Date.now() + 60_000);
    assert.deepEqual(later, { kind: 'known', lastUsedMs: null, removedVerifySessions: 1 });
    assert.deepEqual(await titles(fixture), []);
    // A client's own session is use.
    assert.equal((await post('a client at work')).status, 200);
    const used = await lastClientActivity(fixture.url, CLIENT);
    assert.ok(used.kind === 'known' && typeof used.lastUsedMs === 'number');
  });
});
