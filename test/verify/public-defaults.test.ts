/**
 * The OpenWork image falls back to the public tokens `microsandbox-token` / `microsandbox-host-token` when its token
 * variables do not reach it. Verification proves both are refused, and reports acceptance as a security failure.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { verifyEndpoint } from '../../src/verify/verify.ts';
import { type RunningFixture, startFixture } from '../fixture/start-fixture.ts';

const CLIENT = 'defaults-client-token-0123456789';
const HOST = 'defaults-host-token-9876543210';

describe('public default tokens', () => {
  let safe: RunningFixture;
  let open: RunningFixture;

  before(async () => {
    [safe, open] = await Promise.all([
      startFixture({ clientToken: CLIENT, hostToken: HOST, env: { OPENWORK_FIXTURE_OPENCODE: 'off' } }),
      // client_env / host_env name variables the image does not read: it runs on the public defaults.
      startFixture({ clientToken: CLIENT, hostToken: HOST, env: { OPENWORK_TOKEN: '', OPENWORK_HOST_TOKEN: '', OPENWORK_FIXTURE_PUBLIC_DEFAULTS: '1', OPENWORK_FIXTURE_OPENCODE: 'off' } }),
    ]);
  });
  after(async () => {
    await Promise.all([safe?.stop(), open?.stop()]);
  });

  test('a server holding its own tokens refuses the defaults: the step passes', async () => {
    const result = await verifyEndpoint({ baseUrl: safe.url, clientToken: CLIENT, hostToken: HOST, timeoutSecs: 5 });
    const step = result.steps.find((s) => s.step === 'default-tokens');
    assert.equal(step?.ok, true, JSON.stringify(result));
    assert.deepEqual(result.steps.slice(0, 3).map((s) => s.step), ['health', 'unauthorized', 'default-tokens']);
  });

  test('a server on the public defaults fails with its own code and a hint naming client_env / host_env', async () => {
    const result = await verifyEndpoint({ baseUrl: open.url, clientToken: CLIENT, hostToken: HOST, timeoutSecs: 5 });
    assert.equal(result.ok, false);
    assert.equal(result.failed?.step, 'default-tokens');
    assert.equal(result.failed?.code, 'verify.public_token');
    assert.equal(result.failed?.status, 200);
    assert.match(result.failed?.message ?? '', /public default (client|host) token/);
    assert.match(result.failed?.hint ?? '', /client_env/);
    assert.match(result.failed?.hint ?? '', /host_env/);
  });
});
