/**
 * `owctl verify --url`: errors no retry can fix fail at once, the workspace URL form is understood, hints speak of
 * the environment variables the user gave, and the wait for /health is visible.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { type RunningFixture, startFixture } from '../fixture/start-fixture.ts';
import { type EventOpencode, startEventOpencode } from '../helpers/event-opencode.ts';

const CLIENT = 'verify-url-client-0123456789';
const HOST = 'verify-url-host-9876543210';
const WORKSPACE = 'ws_c52ddf65534b';
// A test bound, far below the 120 s a retried failure would take: these must fail at once.
const FAST = { timeout: 30_000 };

const verify = (args: string[], env: Record<string, string> = {}) =>
  runCli(['verify', ...args], { env: { PATH: process.env.PATH, OPENWORK_TOKEN: CLIENT, OPENWORK_HOST_TOKEN: HOST, ...env } });

describe('owctl verify --url', () => {
  let fixture: RunningFixture;
  let opencode: EventOpencode;
  before(async () => {
    // Fidelity: the stand-in of OpenCode's routes (test/helpers/event-opencode.ts, checked against the real one in
    // test/fixture/event-stream.test.ts) behind the fixture: these facts are about URLs and hints. A real OpenCode
    // start costs 10-30 s here; verify.test.ts keeps a real one behind the fixture.
    opencode = await startEventOpencode();
    fixture = await startFixture({ clientToken: CLIENT, hostToken: HOST, env: { OPENWORK_FIXTURE_OPENCODE_URL: opencode.url } });
  });
  after(async () => {
    await fixture?.stop();
    await opencode?.close();
  });

  test('a URL without a scheme is refused at once, with the URL to give instead', FAST, async () => {
    const address = fixture.url.replace('http://', '');
    const result = await verify(['--url', address]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /error: --url .* is not an http:\/\/ or https:\/\/ URL/);
    assert.match(result.stderr, new RegExp(`hint: .*--url http://${address.replace(/\./g, '\\.')}`));
  });

  test('a host that does not resolve fails at once, not after the timeout', FAST, async () => {
    const result = await verify(['--url', 'http://owctl-no-such-host.invalid:8787', '--json']);
    assert.equal(result.code, 1);
    const failed = JSON.parse(result.stdout).targets[0].failed;
    assert.equal(failed.step, 'health');
    assert.match(failed.message, /cannot resolve owctl-no-such-host\.invalid/);
    assert.doesNotMatch(failed.message, /after \d+s/);
  });

  test('a workspace URL /w/<id> is verified against that workspace, without doubling the prefix', async () => {
    const result = await verify(['--url', `${fixture.url}/w/${WORKSPACE}/`, '--json']);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const steps = JSON.parse(result.stdout).targets[0].steps as Array<{ step: string; url: string }>;
    assert.equal(steps.find((s) => s.step === 'health')!.url, `${fixture.url}/health`);
    assert.equal(steps.find((s) => s.step === 'session')!.url, `${fixture.url}/w/${WORKSPACE}/opencode/session`);
  });

  test('a workspace URL naming a workspace the server does not have fails at `authorized`', async () => {
    const result = await verify(['--url', `${fixture.url}/w/ws_000000000000`, '--json']);
    assert.equal(result.code, 1);
    const failed = JSON.parse(result.stdout).targets[0].failed;
    assert.equal(failed.step, 'authorized');
    assert.match(failed.message, /ws_000000000000/);
  });

  test('hints name the variables given, not the file', async () => {
    const wrongClient = await verify(['--url', fixture.url, '--token-env', 'MY_TOKEN', '--json'], { MY_TOKEN: 'not-the-client-token-123456' });
    const failed = JSON.parse(wrongClient.stdout).targets[0].failed;
    assert.equal(failed.step, 'authorized');
    assert.match(failed.hint, /\$MY_TOKEN/);
    assert.doesNotMatch(failed.hint, /tokens\.client|owctl apply/);
    const wrongHost = await verify(['--url', fixture.url, '--json'], { OPENWORK_HOST_TOKEN: 'not-the-host-token-1234567' });
    const hostFailed = JSON.parse(wrongHost.stdout).targets[0].failed;
    assert.equal(hostFailed.step, 'host-token');
    assert.match(hostFailed.hint, /\$OPENWORK_HOST_TOKEN/);
    assert.doesNotMatch(hostFailed.hint, /tokens\.host|owctl apply/);
  });

  test('the client token given as the host token is called what it is', async () => {
    const result = await verify(['--url', fixture.url, '--json'], { OPENWORK_HOST_TOKEN: CLIENT });
    const failed = JSON.parse(result.stdout).targets[0].failed;
    assert.equal(failed.step, 'host-token');
    assert.match(`${failed.message} ${failed.hint}`, /client token/);
    assert.doesNotMatch(failed.hint, /different host token/);
  });
});

describe('owctl verify --url while the server is not up yet', () => {
  let server: Server;
  let url: string;
  before(async () => {
    let attempts = 0;
    // Not healthy for the first two requests, then a server without workspaces (enough to pass `health`).
    server = createServer((req, res) => {
      attempts += 1;
      if (req.url === '/health' && attempts <= 2) return void res.writeHead(503).end();
      res.writeHead(req.url === '/health' ? 200 : 401, { 'content-type': 'application/json' }).end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise((resolve) => server.close(resolve)));

  test('says what it is waiting for, on stderr', async () => {
    const result = await verify(['--url', url, '--timeout', '30s']);
    assert.match(result.stderr, new RegExp(`waiting for ${url.replace(/\./g, '\\.')}/health: HTTP 503 \\(\\d+s of 30s\\)`));
    assert.match(result.stdout, /✓ health/);
  });
});
