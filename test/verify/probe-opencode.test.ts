/**
 * Health as observe probes it means the server AND the OpenCode behind it answer: a hung OpenCode behind a healthy
 * /health is `down` (so plan starts it again and status does not say "up").
 */
import assert from 'node:assert/strict';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { probeHealth } from '../../src/verify/probe.ts';
import { type RunningFixture, startFixture } from '../fixture/start-fixture.ts';
import { type EventOpencode, startEventOpencode } from '../helpers/event-opencode.ts';

const CLIENT = 'probe-client-token-0123456789';
const HOST = 'probe-host-token-9876543210';

describe('probeHealth with the client token', () => {
  let healthy: RunningFixture;
  let hung: RunningFixture;
  let blackHole: Server;
  let opencode: EventOpencode;

  before(async () => {
    // Accepts connections and never answers: an OpenCode that hangs.
    blackHole = createServer(() => undefined);
    await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
    const port = (blackHole.address() as AddressInfo).port;
    opencode = await startEventOpencode();
    // Fidelity: the stand-in of OpenCode's routes (test/helpers/event-opencode.ts, checked against the real one in
    // test/fixture/event-stream.test.ts) behind the fixture: the fact is the probe's reading of an OpenCode that
    // answers or hangs. A real OpenCode start costs 10-30 s here; verify.test.ts keeps a real one behind the fixture.
    [healthy, hung] = await Promise.all([
      startFixture({ clientToken: CLIENT, hostToken: HOST, env: { OPENWORK_FIXTURE_OPENCODE_URL: opencode.url } }),
      startFixture({ clientToken: CLIENT, hostToken: HOST, env: { OPENWORK_FIXTURE_OPENCODE_URL: `http://127.0.0.1:${port}` } }),
    ]);
  });
  after(async () => {
    await Promise.all([healthy?.stop(), hung?.stop(), opencode?.close()]);
    blackHole?.close();
  });

  test('a hung OpenCode behind a healthy server is down', async () => {
    assert.equal((await fetch(`${hung.url}/health`)).status, 200, 'the server itself answers /health');
    assert.equal(await probeHealth(hung.url, { clientToken: CLIENT, timeoutMs: 1500 }), 'down');
  });

  test('a server whose OpenCode answers is up', async () => {
    // The fixture starts its OpenCode on first use: let that first start finish, unbounded, before probing.
    const authorization = `Bearer ${CLIENT}`;
    const id = ((await (await fetch(`${healthy.url}/workspaces`, { headers: { authorization } })).json()) as { items: Array<{ id: string }> }).items[0]!.id;
    assert.equal((await fetch(`${healthy.url}/w/${id}/opencode/global/health`, { headers: { authorization } })).status, 200);
    assert.equal(await probeHealth(healthy.url, { clientToken: CLIENT }), 'up');
  });

  test('without a client token only /health is asked', async () => {
    assert.equal(await probeHealth(hung.url), 'up');
  });

  test('an OpenCode slow to answer once (a busy host) is not taken for a hung one', async () => {
    // /health answers at once; OpenCode's health takes 2.5 s the first time (over one probe's 1.5 s), then answers.
    let first = true;
    const slow = createHttpServer((req, res) => {
      const reply = (body: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (req.url === '/health') return reply({ ok: true });
      if (req.headers.authorization !== `Bearer ${CLIENT}`) return res.writeHead(401).end();
      if (req.url === '/workspaces') return reply({ items: [{ id: 'ws_1' }] });
      if (req.url === '/w/ws_1/opencode/global/health') {
        const delay = first ? 2500 : 0;
        first = false;
        return void setTimeout(() => reply({ healthy: true }), delay);
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(slow.address() as AddressInfo).port}`;
      assert.equal(await probeHealth(url, { clientToken: CLIENT }), 'up');
    } finally {
      slow.closeAllConnections();
      slow.close();
    }
  });
});
