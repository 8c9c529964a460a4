/**
 * A stand-in for the part of OpenCode the `events` step touches, for tests that put proxies in front of it and
 * should not pay for a real OpenCode start. Modelled on OpenCode's source (packages/opencode/src/server/routes/
 * event.ts and the session routes) and checked against the real one in test/fixture/event-stream.test.ts:
 *  - `GET /event`: 200 text/event-stream with `X-Accel-Buffering: no`; `server.connected` first, then every bus event
 *    as one `data: <json>` block;
 *  - `POST /session`: creates a session, publishes `session.created` {sessionID, info} before it answers;
 *  - `GET /session/:id`, `GET /session/:id/message`: the session, and its messages (none);
 *  - `DELETE /session/:id`: removes it (publishes `session.deleted`);
 *  - `GET /session`: the sessions of the directory the request names (`x-opencode-directory`, as the OpenWork server
 *    sends it; OpenCode keeps sessions per project directory), with their title and `time.created/updated`;
 *  - `GET /global/health`: `{ healthy: true, version }`.
 * A session takes the title it was created with. Events are not kept per directory: every subscriber gets every
 * event. The OpenWork fixture proxies to it with OPENWORK_FIXTURE_OPENCODE_URL; the OpenSandbox stand-in uses it by
 * default (its `opencode` option).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface EventOpencode {
  url: string;
  /** Sessions that exist now (ids). */
  sessions(): string[];
  close(): Promise<void>;
}

export async function startEventOpencode(): Promise<EventOpencode> {
  const subscribers = new Set<ServerResponse>();
  const sessions = new Map<string, { id: string; title: string; directory: string; time: { created: number; updated: number } }>();
  const publish = (event: unknown) => {
    for (const res of subscribers) res.write(`data: ${JSON.stringify(event)}\n\n`);
  };
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const json = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.method === 'GET' && path === '/event') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache, no-transform', 'x-accel-buffering': 'no' });
      subscribers.add(res);
      res.once('close', () => subscribers.delete(res));
      res.write(`data: ${JSON.stringify({ type: 'server.connected', properties: {} })}\n\n`);
      return;
    }
    const directory = decodeURIComponent(String(req.headers['x-opencode-directory'] ?? ''));
    if (req.method === 'GET' && path === '/global/health') return json(200, { healthy: true, version: 'event-opencode' });
    if (req.method === 'GET' && path === '/session') return json(200, [...sessions.values()].filter((s) => s.directory === directory));
    if (req.method === 'POST' && path === '/session') {
      let body = '';
      req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      req.once('end', () => {
        let title = 'session';
        try {
          const parsed = JSON.parse(body) as { title?: unknown };
          if (typeof parsed.title === 'string') title = parsed.title;
        } catch {
          // no body or not JSON: OpenCode then picks a title itself
        }
        const now = Date.now();
        const info = { id: `ses_${randomBytes(8).toString('hex')}`, title, directory, time: { created: now, updated: now } };
        sessions.set(info.id, info);
        publish({ type: 'session.created', properties: { sessionID: info.id, info } });
        json(200, info);
      });
      return;
    }
    const one = /^\/session\/([^/]+)(\/message)?$/.exec(path);
    const session = one ? sessions.get(one[1]!) : undefined;
    if (session && req.method === 'GET') return json(200, one![2] ? [] : session);
    if (one && !one[2] && req.method === 'DELETE' && sessions.delete(one[1]!)) {
      publish({ type: 'session.deleted', properties: { sessionID: one[1] } });
      return json(200, true);
    }
    json(404, { name: 'NotFoundError', data: { message: 'not found' } });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    sessions: () => [...sessions.keys()],
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
