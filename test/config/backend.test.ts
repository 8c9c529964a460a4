/** The `backend:` block and the sandbox keys a backend cannot honour, each reported at its own line. */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config/load.ts';
import { TEST_ENV, withFiles } from './helpers.ts';

const ENV = { ...TEST_ENV, OPEN_SANDBOX_API_KEY: 'osk-test-api-key-0123456789' };

function file(backend: string, sandbox: string[]): string {
  return [
    'version: 1',
    'project: demo',
    backend,
    'sandboxes:',
    '  alice:',
    '    image: openwork:dev',
    '    tokens: { client: "${OPENWORK_TOKEN}", host: "${OPENWORK_HOST_TOKEN}" }',
    ...sandbox.map((line) => `    ${line}`),
    '',
  ].join('\n');
}

const OPENSANDBOX = 'backend: { type: opensandbox, url: "http://127.0.0.1:8080/", api_key: "${OPEN_SANDBOX_API_KEY}" }';

async function load(text: string) {
  return withFiles({ 'openwork.yaml': text }, (dir) => loadConfig(path.join(dir, 'openwork.yaml'), ENV));
}

describe('backend block', () => {
  it('absent means msb; opensandbox gives url, the key as a secret, and defaults', async () => {
    const msb = await load(file('', ['command: [/entry.sh]']));
    assert.deepEqual([msb.diagnostics, msb.desired?.backend], [[], undefined]);
    const remote = await load(file(OPENSANDBOX, ['command: [/entry.sh]']));
    assert.deepEqual(remote.diagnostics, []);
    assert.deepEqual(remote.desired?.backend, { type: 'opensandbox', url: 'http://127.0.0.1:8080', apiKey: ENV.OPEN_SANDBOX_API_KEY, renewOnAccess: false, requestTimeoutSecs: 60 });
    assert.ok(remote.secrets.includes(ENV.OPEN_SANDBOX_API_KEY!), 'the API key is masked like the tokens');
  });

  it('reports each key opensandbox cannot honour at its line, naming the backend and what to do instead', async () => {
    const result = await load(
      file(OPENSANDBOX, ['pull: always', 'ports: [{ host: 8787, guest: 8787 }]', 'mounts: [{ type: tmpfs, target: /tmp }]', 'idle_timeout: 30m', 'labels: { team: "a b" }']),
    );
    const seen = result.diagnostics.map((d) => [d.line, d.path, /opensandbox/.test(d.message), d.hint !== undefined]);
    assert.deepEqual(seen, [
      [5, 'sandboxes.alice', true, true], // no command
      [8, 'sandboxes.alice.pull', true, true],
      [9, 'sandboxes.alice.ports', true, true],
      [10, 'sandboxes.alice.mounts[0].type', true, true],
      [11, 'sandboxes.alice.idle_timeout', true, true],
      [12, 'sandboxes.alice.labels.team', true, true],
    ]);
    assert.ok(result.diagnostics.every((d) => !d.message.includes(ENV.OPEN_SANDBOX_API_KEY!)));
  });

  it('an API key over plain http to a non-loopback host is refused before any connection, unless allow_insecure_http: true', async () => {
    const remote = (url: string, extra = '') => file(`backend: { type: opensandbox, url: "${url}", api_key: "\${OPEN_SANDBOX_API_KEY}"${extra} }`, ['command: [/entry.sh]']);
    const refused = await load(remote('http://sandbox.example:8080'));
    assert.deepEqual(refused.diagnostics.map((d) => [d.line, d.path]), [[3, 'backend.api_key']]);
    assert.match(refused.diagnostics[0]!.message, /unencrypted.*sandbox\.example/);
    assert.match(refused.diagnostics[0]!.hint!, /https:\/\/.*allow_insecure_http: true/);
    assert.equal(refused.desired, undefined, 'nothing to apply');
    for (const loopback of ['http://127.0.0.1:8080', 'http://127.8.9.10:8080', 'http://localhost:8080', 'http://[::1]:8080', 'https://sandbox.example']) {
      assert.deepEqual((await load(remote(loopback))).diagnostics, [], loopback);
    }
    assert.deepEqual((await load(remote('http://sandbox.example:8080', ', allow_insecure_http: true'))).diagnostics, []);
    assert.deepEqual((await load(file('backend: { type: opensandbox, url: "http://sandbox.example:8080" }', ['command: [/entry.sh]']))).diagnostics, [], 'no key, nothing to leak');
  });

  it('credentials in backend.url are refused, and never printed', async () => {
    const result = await load(file('backend: { type: opensandbox, url: "https://admin:url-pass-1234@sandbox.example" }', ['command: [/entry.sh]']));
    assert.deepEqual(result.diagnostics.map((d) => [d.line, d.path]), [[3, 'backend.url']]);
    assert.match(result.diagnostics[0]!.message, /credentials/);
    assert.ok(result.diagnostics.every((d) => !`${d.message} ${d.hint}`.includes('url-pass-1234')));
  });

  it('the same keys are fine on msb; opensandbox-only keys are refused there', async () => {
    const onMsb = await load(file('', ['pull: always', 'ports: [{ host: 8787, guest: 8787 }]', 'idle_timeout: 30m']));
    assert.deepEqual(onMsb.diagnostics, []);
    const stray = await load(file('backend: { type: msb, url: "http://x:1" }', []));
    assert.deepEqual(stray.diagnostics.map((d) => [d.line, d.path]), [[3, 'backend.url']]);
  });

  it('idle_timeout is accepted with the renew-on-access extension, within its range', async () => {
    const withRenew = OPENSANDBOX.replace(' }', ', renew_on_access: true }');
    assert.deepEqual((await load(file(withRenew, ['command: [/e]', 'idle_timeout: 30m']))).diagnostics, []);
    const short = await load(file(withRenew, ['command: [/e]', 'idle_timeout: 60s']));
    assert.deepEqual(short.diagnostics.map((d) => d.path), ['sandboxes.alice.idle_timeout']);
  });
});

describe('owctl init --backend opensandbox', () => {
  it('writes a starter that is valid on opensandbox once the API key is set, and says where to set it', async () => {
    const { initCommand } = await import('../../src/commands/init.ts');
    await withFiles({}, async (dir) => {
      let out = '';
      const io = { stdout: (t: string) => void (out += t), stderr: () => undefined, env: { HOME: dir }, cwd: dir, interactive: false, color: false };
      assert.equal(await initCommand({ file: 'openwork.yaml', backend: 'opensandbox' }, io), 0);
      assert.match(out, /set OPEN_SANDBOX_API_KEY/);
      const loaded = await loadConfig(path.join(dir, 'openwork.yaml'), { HOME: dir, OPEN_SANDBOX_API_KEY: 'osk-0123456789abcdef' });
      assert.deepEqual(loaded.diagnostics, []);
      assert.equal(loaded.desired?.backend?.type, 'opensandbox');
    });
  });
});
