#!/usr/bin/env node
// A stand-in `opencode serve` for tests whose fact is about the process around OpenCode (how the OpenWork fixture
// starts, wraps and outlives it), not about OpenCode: a real start costs 10-30 s here. It accepts `serve --hostname
// H --port P`, prints OpenCode 1.18's "listening on http://H:PORT" line, answers GET /global/health with 200 to the
// password in OPENCODE_SERVER_PASSWORD (401 otherwise), and every other path with 404. Node built-ins only.
import { createServer } from 'node:http';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(name);
  return at >= 0 && args[at + 1] !== undefined ? args[at + 1] : fallback;
};
if (args[0] !== 'serve') {
  process.stderr.write(`stub-opencode: only \`serve\` is simulated, not ${args[0] ?? '(nothing)'}\n`);
  process.exit(2);
}
const hostname = option('--hostname', '127.0.0.1');
const expected = `Basic ${Buffer.from(`opencode:${process.env.OPENCODE_SERVER_PASSWORD ?? ''}`).toString('base64')}`;
const server = createServer((req, res) => {
  const json = (status, body) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  if (req.headers.authorization !== expected) return json(401, { name: 'Unauthorized' });
  if (req.method === 'GET' && req.url === '/global/health') return json(200, { healthy: true, version: 'stub' });
  return json(404, { name: 'NotFoundError' });
});
server.listen(Number(option('--port', '0')), hostname, () => {
  process.stdout.write(`opencode server listening on http://${hostname}:${server.address().port}\n`);
});
for (const signal of ['SIGTERM', 'SIGINT']) process.once(signal, () => server.close(() => process.exit(0)));
