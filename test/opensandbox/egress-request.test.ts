/**
 * The file's network and credentials in OpenSandbox's terms: what validate refuses at its line (the backend's
 * capabilities, as data), the auth shape `header` picks, the policy the sidecar needs for each binding, the in-place
 * mutations; and that no credential is written to a vault whose ownership is not proven.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config/load.ts';
import type { DesiredSandbox } from '../../src/model/desired.ts';
import { OpenSandboxClient } from '../../src/opensandbox/client.ts';
import { writeVault } from '../../src/opensandbox/egress-ops.ts';
import { authOf, networkPolicyOf, policySync, vaultMutation } from '../../src/opensandbox/egress-request.ts';
import { OpenSandboxStandin } from '../opensandbox-standin/standin.ts';
import { TEST_ENV, withFiles } from '../config/helpers.ts';
import { desiredSandbox } from '../helpers/states.ts';

const KEY = 'sk-ant-request-1a2b3c4d5e6f7a8b';
const withCredential = (extra: Partial<DesiredSandbox> = {}): DesiredSandbox =>
  desiredSandbox('agent', { credentials: { ANTHROPIC_API_KEY: { value: KEY, hosts: ['api.anthropic.com'], header: 'x-api-key' } }, ...extra });

describe('opensandbox: network and credentials mapped', () => {
  it('validate refuses CIDRs, groups and ports at their line on the opensandbox backend', async () => {
    const yaml = [
      'version: 1',
      'project: demo',
      'backend: { type: opensandbox, url: "http://sandbox.example:8080" }',
      'sandboxes:',
      '  alice:',
      '    image: img',
      '    command: [openwork-server]',
      '    tokens: { client: "${OPENWORK_TOKEN}", host: "${OPENWORK_HOST_TOKEN}" }',
      '    network:',
      '      egress: deny',
      '      rules:',
      '        - { allow: api.anthropic.com, ports: [443] }',
      '        - { deny: 10.0.0.0/8 }',
      '        - { allow: public }',
      '',
    ].join('\n');
    const { diagnostics, desired } = await withFiles({ 'openwork.yaml': yaml }, (dir) => loadConfig(path.join(dir, 'openwork.yaml'), TEST_ENV, { positioned: true }));
    assert.equal(desired, undefined, 'nothing is loaded: validate changes nothing');
    assert.deepEqual(
      diagnostics.map((d) => `${d.line} ${d.path}`),
      ['12 sandboxes.alice.network.rules[0].ports', '13 sandboxes.alice.network.rules[1].deny', '14 sandboxes.alice.network.rules[2].allow'],
    );
    assert.ok(diagnostics.every((d) => d.message.includes('opensandbox backend')));
  });

  it('header picks the auth shape: absent or Authorization is bearer, another header is apiKey', () => {
    assert.deepEqual(authOf('K', { value: 'v', hosts: ['a.example.com'] }), { type: 'bearer', credential: 'K' });
    assert.deepEqual(authOf('K', { value: 'v', hosts: ['a.example.com'], header: 'Authorization' }), { type: 'bearer', credential: 'K' });
    assert.deepEqual(authOf('K', { value: 'v', hosts: ['a.example.com'], header: 'x-api-key' }), { type: 'apiKey', name: 'x-api-key', credential: 'K' });
  });

  it('a credential host no allow rule names gets one after the declared rules; without a policy the default is allow', () => {
    const declared = withCredential({ network: { egress: 'deny', rules: [{ action: 'allow', target: '*.github.com', ports: [] }] } });
    assert.deepEqual(networkPolicyOf(declared), { defaultAction: 'deny', egress: [{ action: 'allow', target: '*.github.com' }, { action: 'allow', target: 'api.anthropic.com' }] });
    assert.deepEqual(networkPolicyOf(withCredential()), { defaultAction: 'allow', egress: [{ action: 'allow', target: 'api.anthropic.com' }] });
    assert.equal(networkPolicyOf(desiredSandbox('plain')), undefined);
  });

  it('policy sync PATCHes the whole list when it differs and deletes what the file dropped; nothing when equal', () => {
    const sandbox = withCredential({ network: { egress: 'deny', rules: [{ action: 'allow', target: 'api.anthropic.com', ports: [] }] } });
    assert.deepEqual(policySync(sandbox, [{ action: 'allow', target: 'api.anthropic.com' }]), { patch: [], remove: [] });
    assert.deepEqual(policySync(sandbox, [{ action: 'allow', target: 'old.example.com' }, { action: 'allow', target: 'api.anthropic.com' }]), {
      patch: [{ action: 'allow', target: 'api.anthropic.com' }],
      remove: ['old.example.com'],
    });
  });

  it('one vault mutation: declared ones replaced, new ones added, dropped ones deleted, guarded by the revision', () => {
    const state = { revision: 4, credentials: [{ name: 'ANTHROPIC_API_KEY', sourceType: 'inline', revision: 3 }, { name: 'OLD', sourceType: 'inline', revision: 1 }], bindings: [{ name: 'OLD', revision: 4 }] };
    const mutation = vaultMutation(withCredential(), state);
    assert.equal(mutation.expectedRevision, 4);
    assert.deepEqual([mutation.credentials!.replace!.map((c) => c.name), mutation.credentials!.delete, mutation.bindings!.add!.map((b) => b.name), mutation.bindings!.delete], [['ANTHROPIC_API_KEY'], ['OLD'], ['ANTHROPIC_API_KEY'], ['OLD']]);
  });
});

describe('opensandbox: no credential reaches a vault whose ownership is not proven', () => {
  let standin: OpenSandboxStandin;
  let client: OpenSandboxClient;
  before(async () => {
    standin = new OpenSandboxStandin();
    await standin.start();
    client = new OpenSandboxClient({ url: standin.url, timeoutMs: 5_000, secrets: [] });
  });
  after(async () => {
    await client?.close();
    await standin?.stop();
  });

  it('an endpoint answer without the sandbox\'s egress token (as on a shared address) is refused with a hint', async () => {
    const sandbox = withCredential();
    const created = await client.create({ image: { uri: 'openwork:dev' }, entrypoint: ['/e'], resourceLimits: {}, timeout: null, env: {}, metadata: {}, networkPolicy: networkPolicyOf(sandbox), credentialProxy: { enabled: true } }, 'agent');
    // The same sidecar, reached as if the server named no token: nothing proves the vault is this sandbox's.
    const tokenless = Object.assign(Object.create(client) as OpenSandboxClient, {
      endpoint: async (id: string, port: number, name: string) => ({ endpoint: (await client.endpoint(id, port, name)).endpoint }),
    });
    await assert.rejects(writeVault({ client: tokenless, timeoutMs: 5_000, secrets: [KEY] }, created.id, sandbox), (e: { code: string; message: string; hint: string }) => {
      assert.equal(e.code, 'opensandbox.egress');
      assert.match(e.message, /cannot prove/);
      assert.match(e.hint, /network_mode "host"/);
      assert.ok(!e.message.includes(KEY));
      return true;
    });
    assert.equal(standin.sidecar(created.id)!.vault, undefined, 'no vault was written');
    // Host networking: the endpoint is `{host}:18080`, one address for every sandbox; the message says so.
    const shared = Object.assign(Object.create(client) as OpenSandboxClient, { endpoint: async () => ({ endpoint: '127.0.0.1:18080' }) });
    await assert.rejects(writeVault({ client: shared, timeoutMs: 2_000, secrets: [KEY] }, created.id, sandbox), (e: { details: { shared_address: boolean }; message: string }) => {
      assert.equal(e.details.shared_address, true);
      assert.match(e.message, /every sandbox shares on a host-network server/);
      return true;
    });
    await writeVault({ client, timeoutMs: 5_000, secrets: [KEY] }, created.id, sandbox);
    assert.deepEqual(standin.sidecar(created.id)!.injected('ANTHROPIC_API_KEY'), { 'x-api-key': KEY }, 'with the token the vault is proven and written');
  });
});
