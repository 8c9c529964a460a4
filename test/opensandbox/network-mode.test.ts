/** Which endpoints mean a host-network server (every sandbox at `{server.host}:{port}`), per the observed shapes. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { capabilitiesFor, isSharedHostAddress } from '../../src/opensandbox/network-mode.ts';

describe('OpenSandbox network mode from an endpoint', () => {
  it('Docker host mode: "{server.host}:{port}" with the guest port itself is shared', () => {
    for (const endpoint of ['127.0.0.1:8787', 'sandbox.example:8787', '[::1]:8787', 'http://10.0.0.5:8787/']) assert.equal(isSharedHostAddress(endpoint, 8787), true, endpoint);
  });

  it('bridge (/proxy/<port> through execd, or a mapped host port) and Kubernetes shapes are per sandbox', () => {
    for (const endpoint of ['127.0.0.1:40123/proxy/8787', '127.0.0.1:49153', 'abc-8787.sandboxes.example', 'gw.example/abc/8787', '127.0.0.1:8080/gateway/abc/8787']) {
      assert.equal(isSharedHostAddress(endpoint, 8787), false, endpoint);
    }
  });

  it('a shared address makes replacements delete first, saying why; otherwise create first', () => {
    const shared = capabilitiesFor(true);
    assert.deepEqual([shared.createBeforeDestroy, /host networking/.test(shared.deleteFirstBecause ?? '')], [false, true]);
    assert.deepEqual([capabilitiesFor(false).createBeforeDestroy, capabilitiesFor(false).deleteFirstBecause], [true, undefined]);
  });
});
