/**
 * /health answering 401 or 404 means the URL is wrong (a `/w/<id>/opencode` prefix, a proxy path), not that the server
 * is starting (openwork-server.md: the real server's /health needs no token and is always there): the wait ends at
 * once with a hint. `https://` to a port that speaks plain HTTP (the OpenWork server serves plain HTTP) is named as
 * the protocol mismatch it is, not as a certificate problem.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, test } from 'node:test';
import { urlTerms } from '../../src/verify/hints.ts';
import { verifyEndpoint } from '../../src/verify/verify.ts';

const CLIENT = 'wrong-url-client-0123456789';
const HOST = 'wrong-url-host-9876543210';
const servers: Server[] = [];
after(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function answering(status: number): Promise<string> {
  const server = createServer((_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ code: status === 401 ? 'unauthorized' : 'not_found', message: 'no' }));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('/health on a wrong URL', () => {
  for (const status of [404, 401]) {
    test(`/health answering ${status} fails at once (not after the whole timeout) with a hint about the path, prefix or token`, async () => {
      const started = performance.now();
      const result = await verifyEndpoint({ baseUrl: `http://${await answering(status)}/w/ws_1/opencode`, clientToken: CLIENT, hostToken: HOST, timeoutSecs: 30 });
      const elapsed = performance.now() - started;
      assert.ok(elapsed < 5_000, `failed fast, not after 30 s: ${Math.round(elapsed)} ms`);
      assert.equal(result.failed?.step, 'health');
      assert.equal(result.failed?.status, status);
      assert.match(result.failed?.message ?? '', new RegExp(`/health answered HTTP ${status}: .*no OpenWork server root`));
      assert.match(result.failed?.hint ?? '', /wrong path or prefix/);
      assert.match(result.failed?.hint ?? '', /\/w\/<id>\/opencode/);
    });
  }

  test('https:// to a port that speaks plain HTTP names the protocol mismatch, not a certificate', async () => {
    const address = await answering(200);
    const result = await verifyEndpoint({ baseUrl: `https://${address}`, clientToken: CLIENT, hostToken: HOST, timeoutSecs: 30, terms: urlTerms('T', 'H') });
    assert.equal(result.failed?.step, 'health');
    assert.match(result.failed?.message ?? '', /speaks plain HTTP, not HTTPS/);
    assert.match(result.failed?.hint ?? '', new RegExp(`http://${address.replace(/\./g, '\\.')}`));
    assert.doesNotMatch(result.failed?.hint ?? '', /certificate/);
  });
});
