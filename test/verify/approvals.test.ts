/** owctl's client of the approval routes against servers that do not answer as an OpenWork server does. */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { listApprovals, replyApproval } from '../../src/verify/approvals.ts';

const HOST = 'approvals-client-host-token-0123';

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void, body: (url: string) => Promise<void>): Promise<void> {
  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await body(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

describe('the approvals client', () => {
  it('sends the host token in X-OpenWork-Host-Token (and the gateway headers); keeps only the actor scope of an item', async () => {
    const seen: Array<Record<string, unknown>> = [];
    await serve(
      (req, res) => {
        seen.push({ ...req.headers });
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ items: [{ id: 'x', action: 'config.patch', summary: 'Patch', paths: ['/w'], workspaceId: 'ws', createdAt: 5, actor: { type: 'remote', scope: 'owner', tokenHash: 'abc' } }] }));
      },
      async (url) => {
        const answer = await listApprovals({ url, headers: { 'open-sandbox-ingress': 'box-1' }, hostToken: HOST });
        assert.deepEqual(answer, { kind: 'ok', approvals: [{ id: 'x', action: 'config.patch', summary: 'Patch', paths: ['/w'], workspaceId: 'ws', createdAtMs: 5, actorScope: 'owner' }] });
      },
    );
    assert.equal(seen[0]!['x-openwork-host-token'], HOST);
    assert.equal(seen[0]!['open-sandbox-ingress'], 'box-1');
    assert.equal(seen[0]!.authorization, undefined, 'the host token is not a bearer credential');
  });

  it('nothing listening is unreachable; a 200 without items, or a 500, is a bad answer; neither holds the token', async () => {
    const dead = await listApprovals({ url: 'http://127.0.0.1:9', headers: {}, hostToken: HOST });
    assert.deepEqual([dead.kind, dead.kind === 'failed' && dead.state], ['failed', 'unreachable']);
    await serve(
      (req, res) => res.writeHead(req.method === 'GET' ? 200 : 500, { 'content-type': 'application/json' }).end(req.method === 'GET' ? '{"ok":true}' : '{"code":"internal_error"}'),
      async (url) => {
        const listed = await listApprovals({ url, headers: {}, hostToken: HOST });
        assert.deepEqual([listed.kind === 'failed' && listed.state], ['bad_answer']);
        const replied = await replyApproval({ url, headers: {}, hostToken: HOST }, 'x', 'allow');
        assert.equal(replied.kind === 'failed' && replied.message, 'POST /approvals/x answered HTTP 500 (internal_error)');
        assert.ok(!JSON.stringify([dead, listed, replied]).includes(HOST));
      },
    );
  });
});
