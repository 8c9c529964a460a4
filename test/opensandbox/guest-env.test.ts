/**
 * Reading execd's answer to `printenv NAME`: standard SSE frames or one JSON object a line, output in one event or
 * split into lines (with or without their newlines); exit status 1 is an unset variable, any other failure an error.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { describe, it } from 'node:test';
import type { OpenSandboxClient } from '../../src/opensandbox/client.ts';
import { printenvResult, readGuestVariables, streamEvents } from '../../src/opensandbox/guest-env.ts';

const sse = (events: object[]) => events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join('');
const ndjson = (events: object[]) => events.map((e) => JSON.stringify(e)).join('\n');

describe('opensandbox: execd printenv answers', () => {
  it('SSE frames and bare JSON lines give the same events', () => {
    const events = [{ type: 'init', text: 'abc' }, { type: 'stdout', text: 'v\n' }, { type: 'execution_complete' }];
    assert.deepEqual(streamEvents(sse(events)), events);
    assert.deepEqual(streamEvents(`: ping\nevent: x\n${ndjson(events)}\n`), events);
  });

  it('the value, whether the output comes whole or a line an event', () => {
    assert.equal(printenvResult([{ type: 'stdout', text: 'one\ntwo\n' }, { type: 'execution_complete' }]), 'one\ntwo');
    assert.equal(printenvResult([{ type: 'stdout', text: 'one' }, { type: 'stdout', text: 'two' }, { type: 'execution_complete' }]), 'one\ntwo');
    assert.equal(printenvResult([{ type: 'stdout', text: '\n' }, { type: 'execution_complete' }]), '');
  });

  it('exit status 1 is unset; another failure or an unfinished stream is no answer', () => {
    assert.equal(printenvResult([{ type: 'error', error: { ename: 'CommandExecError', evalue: '1' } }]), null);
    assert.equal(printenvResult([{ type: 'error', error: { ename: 'CommandExecError', evalue: '127' } }]), undefined);
    assert.equal(printenvResult([{ type: 'stdout', text: 'v' }]), undefined);
  });

  it('an execd that refuses says why with every known secret redacted, and never a value it sent', async () => {
    const SECRET = 'sk-ant-leaked-in-an-error-5d4c3b2a';
    const server = createServer((_req, res) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ code: 'RUNTIME_ERROR', message: `env had ${SECRET}` }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const client = { endpoint: async () => ({ endpoint: `127.0.0.1:${port}` }) } as unknown as OpenSandboxClient;
    try {
      await assert.rejects(readGuestVariables({ client, timeoutMs: 5_000, secrets: [SECRET] }, 'id', 'agent', ['ANTHROPIC_API_KEY']), (error: Error) => {
        assert.match(error.message, /the execd of agent could not run printenv in the guest \(HTTP 500\)/);
        assert.ok(!error.message.includes(SECRET), error.message);
        return true;
      });
      await assert.rejects(readGuestVariables({ client, timeoutMs: 5_000, secrets: [] }, 'id', 'agent', ['A; rm -rf /']), /not a variable name/);
    } finally {
      server.close();
    }
  });
});
