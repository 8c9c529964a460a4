/** The apply lock for an OpenSandbox server is keyed on the server, however its URL is spelt, in one per-user place. */
import assert from 'node:assert/strict';
import { isAbsolute } from 'node:path';
import { describe, it } from 'node:test';
import { lockScope, serverIdentity } from '../../src/opensandbox/server-identity.ts';

describe('OpenSandbox server identity', () => {
  it('localhost, 127.0.0.1 and ::1, case, default ports and trailing slashes name one server', () => {
    const one = serverIdentity('http://127.0.0.1:8080');
    for (const spelling of ['http://localhost:8080/', 'HTTP://LocalHost:8080', 'http://[::1]:8080', 'http://127.0.0.1:8080//']) assert.equal(serverIdentity(spelling), one, spelling);
    assert.equal(serverIdentity('https://sandbox.example'), serverIdentity('https://Sandbox.Example:443/'));
    assert.equal(serverIdentity('http://sandbox.example'), serverIdentity('http://sandbox.example:80'));
  });

  it('another port, host, scheme or path is another server; credentials are no part of it', () => {
    const base = serverIdentity('http://127.0.0.1:8080');
    for (const other of ['http://127.0.0.1:8081', 'http://10.0.0.1:8080', 'https://127.0.0.1:8080', 'http://127.0.0.1:8080/tenant-a']) assert.notEqual(serverIdentity(other), base, other);
    assert.equal(serverIdentity('http://u:p@127.0.0.1:8080'), base);
  });

  it('the lock lives under the user\'s home, absolute whatever the current folder, and names no credential', () => {
    const scope = lockScope('http://admin:secret-pw@localhost:8080', { HOME: '/home/ada' });
    assert.ok(isAbsolute(scope), scope);
    assert.ok(scope.startsWith('/home/ada/'), scope);
    assert.equal(scope, lockScope('http://127.0.0.1:8080/', { HOME: '/home/ada' }));
    assert.ok(!scope.includes('secret-pw') && !scope.includes('admin'));
  });
});

describe('the apply lock for an OpenSandbox server', () => {
  it('held for http://localhost:PORT, it blocks http://127.0.0.1:PORT/ from another folder', async () => {
    const { acquireLock } = await import('../../src/apply/lock.ts');
    const { mkdtemp, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const home = await mkdtemp(join(tmpdir(), 'owctl-lock-'));
    try {
      const held = await acquireLock({ project: 'demo', msbHome: lockScope('http://localhost:8080', { HOME: home }), command: 'apply', timeoutMs: 0 });
      await assert.rejects(acquireLock({ project: 'demo', msbHome: lockScope('http://127.0.0.1:8080/', { HOME: home }), command: 'apply', timeoutMs: 0 }), /lock/i);
      await held.release();
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});
