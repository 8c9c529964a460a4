/**
 * A Kubernetes-style gateway endpoint: the address is `host/gateway/{id}/{port}` and only requests carrying the
 * returned OPEN-SANDBOX-INGRESS header reach the sandbox. owctl must send that header on every verification request.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Project } from './project.ts';

describe('opensandbox endpoint with required headers', { timeout: 300_000 }, () => {
  let p: Project;
  before(async () => {
    p = await Project.start({ endpointMode: 'gateway' });
  });
  after(async () => {
    await p?.close();
  });

  it('apply verifies through the gateway with the ingress header; connect shows the header', async () => {
    await p.write([{ name: 'alice' }]);
    const applied = await p.owctl(['apply', '--auto-approve']);
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    assert.match(applied.stdout, /alice: verify:host-token ok/);
    const connect = JSON.parse((await p.owctl(['connect', 'alice', '--json'])).stdout);
    assert.match(connect.url, /\/gateway\/[0-9a-f-]{36}\/8787$/);
    assert.deepEqual(Object.keys(connect.headers), ['OPEN-SANDBOX-INGRESS']);
    const health = await fetch(`${connect.url}/health`);
    assert.equal(health.status, 404, 'without the header the gateway routes nowhere (so the header is what made verification pass)');
    await health.arrayBuffer();
  });
});
