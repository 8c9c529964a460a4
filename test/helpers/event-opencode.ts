/**
 * A stand-in for the part of OpenCode that the OpenWork server fixture and owctl touch (verify's session and events
 * steps, the late-session sweep, keepalive's activity reading, the health probe), for tests that should not pay for a
 * real OpenCode: a cold one costs ~3 s of CPU, and each new directory it serves 5–7 s more after its first session.
 * Modelled on OpenCode 1.18 (packages/opencode/src/server/routes/event.ts and the session routes) and checked route
 * by route against the real one in test/fixture/event-stream.test.ts:
 *  - `GET /event`: 200 text/event-stream with `X-Accel-Buffering: no`; `server.connected` first, then every bus event
 *    of the directory the request names (`x-opencode-directory`: OpenCode runs one instance, with its own bus, per
 *    directory) as one `data: <json>` block, each with an `evt_…` id;
 *  - `POST /session`: creates a session in the request's directory (titled as asked, else `New session - <ISO
 *    time>`), publishes `session.created` {sessionID, info} before it answers;
 *  - `GET /session/:id`, `GET /session/:id/message`: the session (from any directory), and its messages (none);
 *  - `DELETE /session/:id`: removes it, answers `true`, publishes `session.deleted` {sessionID, info};
 *  - an unknown session: 404 `NotFoundError` "Session not found: <id>";
 *  - `GET /session`: newest first, with their title and `time.created/updated`, the sessions of the `directory` the
 *    query names (the OpenWork fixture names its own when it shares an OpenCode), else every session: folders that
 *    are not git repositories (every test's) all belong to OpenCode's one "global" project;
 *  - `GET /global/health`: `{ healthy: true, version }`.
 * FIDELITY: no password is checked (the real one wants OPENCODE_SERVER_PASSWORD's Basic auth), no `server.heartbeat`
 * is sent (the real one sends one every 10 s), sessions carry only the fields owctl and the fixture read (plus
 * `projectID`, `directory`, `version`), and other routes answer 404 (the real one serves its web UI there). No message
 * is ever added: nothing here prompts a model. The OpenWork fixture proxies to it with OPENWORK_FIXTURE_OPENCODE_URL;
 * the e2e harness (its default `opencode: 'stand-in'`) and the OpenSandbox stand-in use it so.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const EVENT_OPENCODE_VERSION = '1.18.33';

export interface EventOpencode {
  url: string;
  /** Sessions that exist now (ids). */
  sessions(): string[];
  close(): Promise<void>;
}

interface Session {
  id: string;
  projectID: string;
  directory: string;
  title: string;
  version: string;
  time: { created: number; updated: number };
}

export async function startEventOpencode(): Promise<EventOpencode> {
  /** Subscribers of `/event`, by the directory they named. */
  const subscribers = new Map<ServerResponse, string>();
  const sessions = new Map<string, Session>();
  // OpenCode's ids sort by time (ascending for events, descending for sessions, so a list is newest first).
  let sequence = 0;
  const nextId = (prefix: string) => `${prefix}_${Date.now().toString(16).padStart(12, '0')}${(sequence++).toString(16).padStart(4, '0')}${randomBytes(5).toString('hex')}`;
  const publish = (directory: string, type: string, properties: unknown) => {
    const block = `data: ${JSON.stringify({ id: nextId('evt'), type, properties })}\n\n`;
    for (const [res, subscribed] of subscribers) if (subscribed === directory) res.write(block);
  };
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://opencode');
    const path = url.pathname;
    const json = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    const notFound = (id: string) => json(404, { name: 'NotFoundError', data: { message: `Session not found: ${id}` } });
    // OpenCode takes the directory from this header (or a `directory` query), else its own working folder.
    const directory = decodeURIComponent(String(req.headers['x-opencode-directory'] ?? url.searchParams.get('directory') ?? process.cwd()));
    if (req.method === 'GET' && path === '/event') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache, no-transform', 'x-accel-buffering': 'no' });
      subscribers.set(res, directory);
      res.once('close', () => subscribers.delete(res));
      res.write(`data: ${JSON.stringify({ id: nextId('evt'), type: 'server.connected', properties: {} })}\n\n`);
      return;
    }
    if (req.method === 'GET' && path === '/global/health') return json(200, { healthy: true, version: EVENT_OPENCODE_VERSION });
    if (req.method === 'GET' && path === '/session') {
      const only = url.searchParams.get('directory');
      const listed = [...sessions.values()].filter((s) => only === null || s.directory === only);
      return json(200, listed.sort((a, b) => b.time.updated - a.time.updated || (a.id < b.id ? 1 : -1)));
    }
    if (req.method === 'POST' && path === '/session') {
      let body = '';
      req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      req.once('end', () => {
        const now = Date.now();
        let title = `New session - ${new Date(now).toISOString()}`;
        try {
          const parsed = JSON.parse(body) as { title?: unknown };
          if (typeof parsed.title === 'string') title = parsed.title;
        } catch {
          // no body or not JSON: OpenCode then titles it by its creation time
        }
        const info: Session = { id: nextId('ses'), projectID: 'global', directory, title, version: EVENT_OPENCODE_VERSION, time: { created: now, updated: now } };
        sessions.set(info.id, info);
        publish(directory, 'session.created', { sessionID: info.id, info });
        json(200, info);
      });
      return;
    }
    const one = /^\/session\/([^/]+)(\/message)?$/.exec(path);
    if (one === null) return json(404, { name: 'NotFoundError', data: { message: 'not found' } });
    const id = decodeURIComponent(one[1]!);
    const session = sessions.get(id);
    if (session === undefined) return notFound(id);
    if (req.method === 'GET') return json(200, one[2] ? [] : session);
    if (!one[2] && req.method === 'DELETE') {
      sessions.delete(id);
      publish(session.directory, 'session.deleted', { sessionID: id, info: session });
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
