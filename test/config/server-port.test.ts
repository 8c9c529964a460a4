/** `server.port` / `server.port_env`: the OpenWork server's guest port, a declared and checked setting. */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config/load.ts';
import { serverUrl } from '../../src/msb/address.ts';
import { ownedLabels } from '../../src/model/applied.ts';
import { minimalYaml, TEST_ENV, withFiles } from './helpers.ts';

const load = (extra: string) =>
  withFiles({ 'openwork.yaml': minimalYaml(extra) }, async (dir) => {
    for (const positioned of [false, true]) {
      const result = await loadConfig(path.join(dir, 'openwork.yaml'), TEST_ENV, { positioned });
      if (positioned) return result;
    }
    throw new Error('unreachable');
  });

describe('server.port', () => {
  it('defaults to 8787 and then adds nothing to the guest env (sandboxes made before the setting stay unchanged)', async () => {
    const { desired, diagnostics } = await load('    ports: [{ host: 18787, guest: 8787 }]');
    assert.deepEqual(diagnostics, []);
    const alice = desired!.sandboxes[0]!;
    assert.equal(alice.serverPort, 8787);
    assert.equal(alice.env.OPENWORK_PORT, undefined);
    assert.equal(ownedLabels('demo', alice)['owctl.dev/server-port'], undefined);
    assert.equal(serverUrl(alice, '127.0.0.1'), 'http://127.0.0.1:18787');
  });

  it('another port reaches the server through its port variable, is recorded on the sandbox, and gives the URL', async () => {
    const { desired, diagnostics } = await load('    ports: [{ host: 19000, guest: 9000 }, { host: 18787, guest: 8787 }]\n    server: { port: 9000 }');
    assert.deepEqual(diagnostics, []);
    const alice = desired!.sandboxes[0]!;
    assert.equal(alice.env.OPENWORK_PORT, '9000');
    assert.equal(serverUrl(alice, '127.0.0.1'), 'http://127.0.0.1:19000');
    const labels = ownedLabels('demo', alice);
    assert.equal(labels['owctl.dev/server-port'], '9000');
    // What msb reports back: the URL of a live sandbox follows the port recorded on it.
    const live = { ports: [{ host: 19000, guest: 9000, bind: '127.0.0.1' }, { host: 18787, guest: 8787, bind: '127.0.0.1' }], labels };
    assert.equal(serverUrl(live, '127.0.0.1'), 'http://127.0.0.1:19000');
  });

  it('port_env names the variable for images that read another one', async () => {
    const { desired, diagnostics } = await load('    ports: [{ host: 19000, guest: 9000 }]\n    server: { port: 9000, port_env: MICX_PORT }');
    assert.deepEqual(diagnostics, []);
    assert.equal(desired!.sandboxes[0]!.env.MICX_PORT, '9000');
    assert.equal(desired!.sandboxes[0]!.env.OPENWORK_PORT, undefined);
  });

  it('the port variable set in env is refused, pointing at server.port', async () => {
    const { diagnostics } = await load('    ports: [{ host: 19000, guest: 9000 }]\n    env: { OPENWORK_PORT: "9000" }');
    assert.equal(diagnostics.length, 1, JSON.stringify(diagnostics));
    assert.equal(diagnostics[0]!.path, 'sandboxes.alice.env.OPENWORK_PORT');
    assert.match(diagnostics[0]!.message, /is where the OpenWork server reads its port/);
    assert.match(diagnostics[0]!.hint!, /server: \{ port: 9000 \}/);
    assert.equal(diagnostics[0]!.line, 8);
  });

  it('ports that publish other guest ports but not the server port are refused (status would show no URL)', async () => {
    const { diagnostics } = await load('    ports: [{ host: 19000, guest: 9000 }]');
    assert.equal(diagnostics.length, 1, JSON.stringify(diagnostics));
    assert.equal(diagnostics[0]!.path, 'sandboxes.alice.ports');
    assert.match(diagnostics[0]!.message, /no port publishes guest port 8787, where the OpenWork server listens/);
    assert.match(diagnostics[0]!.hint!, /server: \{ port: 9000 \}|guest: 8787/);
  });

  it('a port outside 1..65535 is a schema error with its line', async () => {
    const { diagnostics } = await load('    server: { port: 70000 }');
    assert.equal(diagnostics.length, 1, JSON.stringify(diagnostics));
    assert.equal(diagnostics[0]!.path, 'sandboxes.alice.server.port');
  });
});
