/**
 * Contract: owctl's egress client against the stand-in's egress sidecar, every exchange checked against the egress
 * spec (../shared/data/opensandbox/egress-api.yaml) and each create against the lifecycle spec; and the stand-in
 * reproduces the real server's egress rules, each named by the fact it models (opensandbox-lifecycle.md, "Egress
 * policy and Credential Vault", and the upstream sidecar and server at 4db3a993).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { OpenSandboxClient } from '../../src/opensandbox/client.ts';
import { EgressClient } from '../../src/opensandbox/egress-client.ts';
import type { WireCreate } from '../../src/opensandbox/wire.ts';
import { OpenSandboxStandin } from '../opensandbox-standin/standin.ts';
import { EGRESS_SPEC_AVAILABLE, SPEC_AVAILABLE, Spec } from './spec.ts';

const skip = SPEC_AVAILABLE && EGRESS_SPEC_AVAILABLE ? false : 'the OpenSandbox specs (../shared/data/opensandbox/*.y*ml) are not on this machine';
const SECRET = 'sk-ant-contract-7c1e9a44d2b05f38';
const ROTATED = 'sk-ant-rotated-0a9b8c7d6e5f4a3b';

const base = (extra: Partial<WireCreate> = {}): WireCreate => ({ image: { uri: 'openwork:dev' }, entrypoint: ['/e'], resourceLimits: { cpu: '1', memory: '512Mi' }, timeout: null, env: {}, metadata: { t: 'egress' }, ...extra });
const policy = { defaultAction: 'deny' as const, egress: [{ action: 'allow' as const, target: 'api.anthropic.com' }, { action: 'allow' as const, target: '*.github.com' }] };
const binding = (hosts: string[]) => ({ name: 'ANTHROPIC_API_KEY', match: { schemes: ['https' as const], ports: [443], hosts }, auth: { type: 'apiKey' as const, name: 'x-api-key', credential: 'ANTHROPIC_API_KEY' } });

describe('OpenSandbox egress sidecar contract', { skip, timeout: 60_000 }, () => {
  let standin: OpenSandboxStandin;
  let client: OpenSandboxClient;
  const egressOf = async (id: string, headers?: Record<string, string>) => {
    const at = await client.endpoint(id, 18080, 'x');
    return new EgressClient({ url: `http://${at.endpoint}`, headers: headers ?? at.headers ?? {}, timeoutMs: 5_000, name: 'x', secrets: [SECRET, ROTATED] });
  };
  before(async () => {
    standin = new OpenSandboxStandin();
    await standin.start();
    client = new OpenSandboxClient({ url: standin.url, timeoutMs: 5_000, secrets: [] });
  });
  after(async () => {
    await client?.close();
    await standin?.stop();
  });

  it('policy and vault round trip: rules merge, values are write-only, every answer sanitized and in the spec', async () => {
    const created = await client.create(base({ networkPolicy: policy, credentialProxy: { enabled: true } }), 'x');
    const egress = await egressOf(created.id);
    assert.deepEqual((await egress.policy()).policy, policy);
    assert.equal(await egress.vault(), undefined, 'no vault before the first write (404)');
    const state = await egress.createVault({ credentials: [{ name: 'ANTHROPIC_API_KEY', source: { type: 'inline', value: SECRET } }], bindings: [binding(['api.anthropic.com'])] });
    assert.deepEqual(state.credentials, [{ name: 'ANTHROPIC_API_KEY', sourceType: 'inline', revision: 1 }]);
    assert.deepEqual(state.bindings[0]!.auth, { type: 'apiKey', name: 'X-Api-Key' }, 'fact: the sidecar stores header names canonical');
    assert.deepEqual(standin.sidecar(created.id)!.injected('ANTHROPIC_API_KEY'), { 'x-api-key': SECRET });
    const rotated = await egress.patchVault({ expectedRevision: 1, credentials: { replace: [{ name: 'ANTHROPIC_API_KEY', source: { type: 'inline', value: ROTATED } }] } });
    assert.equal(rotated.revision, 2);
    assert.deepEqual(standin.sidecar(created.id)!.injected('ANTHROPIC_API_KEY'), { 'x-api-key': ROTATED });
    // PATCH /policy merges: incoming rules first, existing rules for other targets kept; DELETE removes by target.
    await egress.patchRules([{ action: 'deny', target: '*.github.com' }, { action: 'allow', target: 'models.dev' }]);
    await egress.deleteRules(['models.dev']);
    assert.deepEqual((await egress.policy()).policy?.egress, [{ action: 'deny', target: '*.github.com' }, { action: 'allow', target: 'api.anthropic.com' }]);
    assert.equal(await egress.ownershipProven(), true, 'the sidecar refuses a wrong token and accepts the endpoint\'s');
    await egress.close();

    const spec = new Spec('egress');
    const exchanges = standin.egressExchanges();
    for (const e of exchanges) {
      const found = spec.problems(e);
      assert.deepEqual(found.request, [], `request ${e.method} ${e.path}`);
      assert.equal(found.undocumented, false, `status ${e.status} of ${e.method} ${e.path} is in the egress spec`);
      assert.deepEqual(found.response, [], `answer to ${e.method} ${e.path} (${e.status})`);
      for (const value of [SECRET, ROTATED]) assert.ok(!JSON.stringify(e.responseBody ?? '').includes(value), 'no answer carries a credential value');
    }
    const lifecycle = new Spec();
    const create = standin.exchanges().find((e) => e.method === 'POST' && e.path === '/sandboxes')!;
    assert.deepEqual(lifecycle.problems(create).request, [], 'networkPolicy and credentialProxy as the lifecycle spec declares them');
  });

  it('fact: credentialProxy.enabled requires networkPolicy (the server\'s request validator: 422)', async () => {
    await assert.rejects(client.create(base({ credentialProxy: { enabled: true } }), 'x'), { code: 'opensandbox.invalid_request' });
  });

  it('fact: targets are FQDN or *.wildcard only; IP/CIDR are refused at create and by PATCH /policy', async () => {
    await assert.rejects(client.create(base({ networkPolicy: { defaultAction: 'deny', egress: [{ action: 'deny', target: '169.254.169.254' }] } }), 'x'), { code: 'opensandbox.invalid_request' });
    const created = await client.create(base({ networkPolicy: policy }), 'x');
    const egress = await egressOf(created.id);
    await assert.rejects(egress.patchRules([{ action: 'deny', target: '10.0.0.0/8' }]), (e: { code: string; details: { status: number } }) => e.code === 'opensandbox.egress' && e.details.status === 400);
    await egress.close();
  });

  it('fact: vault writes need Credential Proxy (412) and bindings need an explicit allow rule for each host (400)', async () => {
    const plain = await client.create(base({ networkPolicy: policy }), 'x');
    const without = await egressOf(plain.id);
    await assert.rejects(without.createVault({ credentials: [], bindings: [] }), (e: { details: { status: number } }) => e.details.status === 412);
    await without.close();
    const proxied = await client.create(base({ networkPolicy: policy, credentialProxy: { enabled: true } }), 'x');
    const egress = await egressOf(proxied.id);
    await assert.rejects(
      egress.createVault({ credentials: [{ name: 'ANTHROPIC_API_KEY', source: { type: 'inline', value: SECRET } }], bindings: [binding(['api.openai.com'])] }),
      (e: { details: { status: number }; message: string }) => e.details.status === 400 && !e.message.includes(SECRET),
    );
    await egress.close();
  });

  it('fact: the sidecar checks OPENSANDBOX-EGRESS-AUTH; a client without the sandbox\'s token proves no ownership', async () => {
    const created = await client.create(base({ networkPolicy: policy, credentialProxy: { enabled: true } }), 'x');
    const stranger = await egressOf(created.id, {});
    await assert.rejects(stranger.policy(), (e: { details: { status: number } }) => e.details.status === 401);
    assert.equal(await stranger.ownershipProven(), false);
    await stranger.close();
  });

  it('fact: on a host-network server networkPolicy is refused (400) and every sandbox\'s 18080 is one address', async () => {
    const host = new OpenSandboxStandin({ endpointMode: 'host' });
    await host.start();
    const hostClient = new OpenSandboxClient({ url: host.url, timeoutMs: 5_000, secrets: [] });
    try {
      await assert.rejects(hostClient.create(base({ networkPolicy: policy }), 'x'), { code: 'opensandbox.invalid_request' });
      const [a, b] = [await hostClient.create(base(), 'a'), await hostClient.create(base(), 'b')];
      const [ea, eb] = [await hostClient.endpoint(a.id, 18080, 'a'), await hostClient.endpoint(b.id, 18080, 'b')];
      assert.equal(ea.endpoint, eb.endpoint);
      const egress = new EgressClient({ url: `http://${ea.endpoint}`, headers: ea.headers ?? {}, timeoutMs: 2_000, name: 'a', secrets: [] });
      assert.equal(await egress.ownershipProven(), false, 'no token in the endpoint answer: nothing proves the vault is this sandbox\'s');
      await egress.close();
    } finally {
      await hostClient.close();
      await host.stop();
    }
  });
});
