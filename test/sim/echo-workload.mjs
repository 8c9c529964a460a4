// A tiny stand-in workload for the simulator's own tests (MSB_SIM_WORKLOAD=test/sim/echo-workload.mjs): an HTTP
// server on OPENWORK_FIXTURE_LISTEN_HOST:OPENWORK_FIXTURE_LISTEN_PORT that answers GET /health with what it was
// started with, so a test can see the sandbox env reached it. On SIGTERM it prints `echo-workload: received SIGTERM`
// (visible in `msb logs`) and exits; a SIGKILL leaves no such line.
import { createServer } from 'node:http';

const host = process.env.OPENWORK_FIXTURE_LISTEN_HOST ?? '127.0.0.1';
const port = Number(process.env.OPENWORK_FIXTURE_LISTEN_PORT ?? 0);
const server = createServer((req, res) => {
  const body = JSON.stringify({
    ok: true,
    sandbox: process.env.OPENWORK_FIXTURE_SANDBOX,
    argv: JSON.parse(process.env.OPENWORK_FIXTURE_ARGV ?? '[]'),
    hasToken: Boolean(process.env.OPENWORK_TOKEN),
    pid: process.pid,
  });
  res.writeHead(req.url === '/health' ? 200 : 404, { 'content-type': 'application/json' });
  res.end(body);
});
server.listen(port, host, () => console.log(`echo-workload listening on ${host}:${server.address().port}`));
process.on('SIGTERM', () => {
  console.log('echo-workload: received SIGTERM');
  server.close(() => process.exit(0));
});
