/**
 * A reverse proxy for tests that buffers server-sent events the way misconfigured proxies do (nginx with
 * `proxy_buffering on` holds a response body until its buffers fill or the response ends). Every other response
 * passes through unchanged, so all checks but the event stream still pass through it.
 *
 *   hold-body    headers at once, then the event stream's bytes are held
 *   hold-all     nothing of the event stream (not even its headers) until it ends
 *   first-chunk  the first chunk passes, then the rest is held
 */
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type BufferingMode = 'hold-body' | 'hold-all' | 'first-chunk';

export interface BufferingProxy {
  url: string;
  /** Bytes of event streams held back so far. */
  heldBytes(): number;
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'host']);

export async function startBufferingProxy(target: string, mode: BufferingMode): Promise<BufferingProxy> {
  let held = 0;
  const upstreamOf = new URL(target);

  function relay(answer: IncomingMessage, res: ServerResponse): void {
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(answer.headers)) if (!HOP_BY_HOP.has(name) && value !== undefined) headers[name] = value;
    const streaming = /^text\/event-stream/.test(String(answer.headers['content-type'] ?? ''));
    if (!streaming) {
      res.writeHead(answer.statusCode ?? 502, headers);
      answer.pipe(res);
      return;
    }
    const chunks: Buffer[] = [];
    let passed = false;
    if (mode !== 'hold-all') {
      res.writeHead(answer.statusCode ?? 502, headers);
      res.flushHeaders();
    }
    answer.on('data', (chunk: Buffer) => {
      if (mode === 'first-chunk' && !passed) {
        passed = true;
        res.write(chunk);
        return;
      }
      held += chunk.length;
      chunks.push(chunk);
    });
    answer.once('end', () => {
      if (mode === 'hold-all') res.writeHead(answer.statusCode ?? 502, headers);
      res.end(Buffer.concat(chunks));
    });
  }

  const server = createServer((req, res) => {
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(name) && value !== undefined) headers[name] = value;
    const upstream = request({ hostname: upstreamOf.hostname, port: upstreamOf.port, path: req.url, method: req.method, headers }, (answer) => relay(answer, res));
    upstream.once('error', () => (res.headersSent ? res.destroy() : res.writeHead(502).end()));
    res.once('close', () => upstream.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    heldBytes: () => held,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
