/**
 * Contract: owctl's reader of guest variables against the stand-in's execd, every command exchange checked against
 * execd's spec (../shared/data/opensandbox/execd-api.yaml: `POST /command`'s RunCommandRequest, and each event of its
 * `text/event-stream` answer as a ServerStreamEvent; errors as ErrorResponse). The guest sees the create request's
 * env, so a credential's variable holds the fake value the create request set.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { OpenSandboxClient } from '../../src/opensandbox/client.ts';
import { readGuestVariables } from '../../src/opensandbox/guest-env.ts';
import { OpenSandboxStandin } from '../opensandbox-standin/standin.ts';
import { EXECD_SPEC_AVAILABLE, Spec } from './spec.ts';

const skip = EXECD_SPEC_AVAILABLE ? false : 'execd\'s spec (../shared/data/opensandbox/execd-api.yaml) is not on this machine';
const FAKE = 'owctl-credential-vault-placeholder-ANTHROPIC_API_KEY';
const env = { OPENWORK_TOKEN: 'client-execd-contract-1', OPENWORK_HOST_TOKEN: 'host-execd-contract-1', ANTHROPIC_API_KEY: FAKE, EMPTY: '' };

describe('OpenSandbox execd command contract', { skip, timeout: 60_000 }, () => {
  let standin: OpenSandboxStandin;
  let client: OpenSandboxClient;
  let id: string;
  const ctx = () => ({ client, timeoutMs: 5_000, secrets: [] });
  before(async () => {
    standin = new OpenSandboxStandin({ opencode: 'own' });
    await standin.start();
    client = new OpenSandboxClient({ url: standin.url, timeoutMs: 5_000, secrets: [] });
    id = (await client.create({ image: { uri: 'openwork:dev' }, entrypoint: ['/e'], resourceLimits: {}, timeout: null, env, metadata: { t: 'execd' } }, 'x')).id;
  });
  after(async () => {
    await client?.close();
    await standin?.stop();
  });

  it('reads the create request\'s env in the guest: set, empty and unset apart; every exchange in the spec', async () => {
    const found = await readGuestVariables(ctx(), id, 'x', ['ANTHROPIC_API_KEY', 'EMPTY', 'NOT_SET']);
    assert.deepEqual(found, { ANTHROPIC_API_KEY: FAKE, EMPTY: '', NOT_SET: null });
    const spec = new Spec('execd');
    const exchanges = standin.execdExchanges();
    assert.equal(exchanges.length, 3);
    for (const e of exchanges) {
      assert.deepEqual(spec.problems({ ...e, responseBody: undefined }).request, [], `${e.method} ${e.path} request`);
      assert.ok(spec.responseSchema(e.method, e.path, e.status, 'text/event-stream'), `${e.status} is a documented event stream`);
      for (const event of e.responseBody as unknown[]) assert.deepEqual(spec.schemaProblems('ServerStreamEvent', event), [], JSON.stringify(event));
    }
  });

  it('a variable the guest\'s shell sets over the create env is what the guest reads (the stand-in\'s guestEnv)', async () => {
    standin.guestEnv(id, { ANTHROPIC_API_KEY: 'sk-ant-the-real-value-0f1e2d3c' });
    assert.deepEqual(await readGuestVariables(ctx(), id, 'x', ['ANTHROPIC_API_KEY']), { ANTHROPIC_API_KEY: 'sk-ant-the-real-value-0f1e2d3c' });
    standin.guestEnv(id, {});
  });

  it('a request without a command is 400 ErrorResponse, as the spec says', async () => {
    const at = await client.endpoint(id, 44772, 'x');
    const res = await fetch(`http://${at.endpoint}/command`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(res.status, 400);
    const e = standin.execdExchanges().at(-1)!;
    assert.deepEqual(new Spec('execd').problems(e).response, []);
  });
});
