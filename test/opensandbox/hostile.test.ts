/**
 * A broken or hostile server (a wrong URL, a proxy's HTML page, a list that never ends, a body that never stops) gets
 * a named error quoting what came back, cut short, and owctl's reads stay bounded in requests, bytes and time.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { after, describe, it } from 'node:test';
import { OpenSandboxClient } from '../../src/opensandbox/client.ts';

const KEY = 'hostile-test-api-key-93b1';
const servers: Server[] = [];
let requests = 0;

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server = createServer((req, res) => {
    requests += 1;
    handler(req, res);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}
after(async () => {
  for (const server of servers) server.closeAllConnections();
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
});

const client = (url: string, extra: { timeoutMs?: number; maxAnswerBytes?: number } = {}) =>
  new OpenSandboxClient({ url, apiKey: KEY, timeoutMs: extra.timeoutMs ?? 5_000, secrets: [KEY], ...(extra.maxAnswerBytes ? { maxAnswerBytes: extra.maxAnswerBytes } : {}) });
const json = (res: ServerResponse, status: number, value: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(typeof value === 'string' ? value : JSON.stringify(value));
};
const sandbox = (id: string) => ({ id, status: { state: 'Running' }, createdAt: '2026-12-06T10:00:00Z', metadata: {} });

async function rejectsWith(promise: Promise<unknown>, code: string, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (error: { code?: string; message: string }) => {
    assert.equal(error.code, code, error.message);
    assert.match(error.message, pattern);
    assert.ok(!error.message.includes(KEY), 'the key is never quoted');
    return true;
  });
}

describe('OpenSandbox client against a hostile server', { timeout: 60_000 }, () => {
  it('a non-JSON answer (an HTML page) is opensandbox.bad_answer, quoting it cut short', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<html><body>${'Welcome to nginx! '.repeat(100)} ${KEY}</body></html>`);
    });
    await rejectsWith(client(url).get('abc'), 'opensandbox.bad_answer', /reading sandbox abc: the answer \(HTTP 200\) is not JSON; it answered: <html><body>Welcome to nginx!.*… \(\d+ characters\)/);
  });

  it('null, and JSON of the wrong shape, are opensandbox.bad_answer naming what was expected', async () => {
    const url = await serve((req, res) => json(res, 200, req.url!.includes('endpoints') ? { url: 'x' } : 'null'));
    await rejectsWith(client(url).get('abc'), 'opensandbox.bad_answer', /is not a sandbox; it answered: null/);
    await rejectsWith(client(url).endpoint('abc', 8787, 'alice'), 'opensandbox.bad_answer', /is not an endpoint; it answered: \{"url":"x"\}/);
    await rejectsWith(client(url).list({ p: 'demo' }), 'opensandbox.bad_answer', /is not a list of sandboxes/);
  });

  it('a list that always says hasNextPage, repeating its page, stops at the repeat', async () => {
    requests = 0;
    const url = await serve((_req, res) => json(res, 200, { items: [sandbox('a')], pagination: { page: 1, pageSize: 200, totalItems: 1, totalPages: 1e9, hasNextPage: true } }));
    await rejectsWith(client(url).list({ p: 'demo' }), 'opensandbox.bad_answer', /page 2 repeats sandboxes already listed/);
    assert.equal(requests, 2);
  });

  it('a list that always says hasNextPage with new items stops at totalPages, and without totalPages at a cap', async () => {
    let n = 0;
    requests = 0;
    const bounded = await serve((_req, res) => json(res, 200, { items: [sandbox(`s${n++}`)], pagination: { page: 1, pageSize: 200, totalItems: 3, totalPages: 3, hasNextPage: true } }));
    assert.equal((await client(bounded).list({ p: 'demo' })).length, 3);
    assert.equal(requests, 3);
    requests = 0;
    const endless = await serve((_req, res) => json(res, 200, { items: [sandbox(`e${n++}`)], pagination: { hasNextPage: true } }));
    await rejectsWith(client(endless).list({ p: 'demo' }), 'opensandbox.bad_answer', /still has a next page after 500 pages/);
    assert.equal(requests, 500);
  });

  it('an answer larger than the cap is refused without reading it all', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      let sent = 0;
      const pump = () => {
        while (sent < 4096 && res.write(chunk)) sent += 1;
        if (sent < 4096) res.once('drain', pump);
        else res.end();
      };
      pump();
    });
    await rejectsWith(client(url, { maxAnswerBytes: 1024 * 1024 }).get('abc'), 'opensandbox.bad_answer', /larger than 1048576 bytes/);
  });

  it('request_timeout covers the whole body: a slowly dripping answer times out', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{');
      const timer = setInterval(() => res.write(' '), 100);
      res.on('close', () => clearInterval(timer));
    });
    const started = Date.now();
    await rejectsWith(client(url, { timeoutMs: 800 }).get('abc'), 'opensandbox.unreachable', /did not answer in time/);
    assert.ok(Date.now() - started < 5_000);
  });

  it('credentials in the server URL never appear in an error', async () => {
    const url = await serve((_req, res) => json(res, 200, '<oops>'));
    const withUser = url.replace('http://', 'http://admin:url-secret-pw@');
    const c = new OpenSandboxClient({ url: withUser, apiKey: KEY, timeoutMs: 2_000, secrets: [KEY] });
    await assert.rejects(c.get('abc'), (error: { message: string; hint?: string }) => {
      assert.ok(!`${error.message} ${error.hint}`.includes('url-secret-pw'), `${error.message} ${error.hint}`);
      return true;
    });
  });
});
