/**
 * owctl against a real OpenSandbox server, when one is given; every assertion goes through the lifecycle API, never
 * through stand-in internals, so the same steps hold for the stand-in and the server. Set:
 *   OWCTL_TEST_OPENSANDBOX_URL      the server's base URL (e.g. http://127.0.0.1:8080)
 *   OWCTL_TEST_OPENSANDBOX_KEY      its API key (OPEN-SANDBOX-API-KEY)
 *   OWCTL_TEST_OPENSANDBOX_IMAGE    an OpenWork server image the server can pull (and _IMAGE_V2, another one)
 *   OWCTL_TEST_OPENSANDBOX_COMMAND  its start command (default /usr/local/bin/openwork-server)
 *   OWCTL_TEST_OPENSANDBOX_PORT     the guest port its server listens on (default 8787)
 * Unset: the file is skipped, and says so.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Project, type SandboxDecl } from './project.ts';

const env = process.env;
const url = env.OWCTL_TEST_OPENSANDBOX_URL;
const missing = ['OWCTL_TEST_OPENSANDBOX_URL', 'OWCTL_TEST_OPENSANDBOX_KEY', 'OWCTL_TEST_OPENSANDBOX_IMAGE', 'OWCTL_TEST_OPENSANDBOX_IMAGE_V2'].filter((name) => !env[name]);
const skip = missing.length > 0 ? `no real OpenSandbox server given (${missing.join(', ')} unset): skipped; the stand-in's tests ran instead` : false;
if (skip) console.log(`# opensandbox real-server tests: ${skip}`);

describe('owctl against a real OpenSandbox server', { skip, timeout: 900_000 }, () => {
  let p: Project;
  const port = Number(env.OWCTL_TEST_OPENSANDBOX_PORT ?? 8787);
  const alice = (extra: Partial<SandboxDecl> = {}): SandboxDecl => ({ name: 'alice', ...(port === 8787 ? {} : { serverPort: port }), ...extra });
  const only = async () => {
    const live = (await p.live()).filter((s) => s.name === 'alice');
    assert.equal(live.length, 1, JSON.stringify(live.map((s) => [s.id, s.state])));
    return live[0]!;
  };
  const applies = async () => {
    const applied = await p.owctl(['apply', '--auto-approve']);
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    return applied;
  };
  before(async () => {
    p = await Project.against(
      { url: url!.replace(/\/+$/, ''), apiKey: env.OWCTL_TEST_OPENSANDBOX_KEY!, image: env.OWCTL_TEST_OPENSANDBOX_IMAGE!, imageV2: env.OWCTL_TEST_OPENSANDBOX_IMAGE_V2!, command: env.OWCTL_TEST_OPENSANDBOX_COMMAND ?? '/usr/local/bin/openwork-server' },
      `owctl-e2e-${randomBytes(4).toString('hex')}`,
    );
  });
  after(async () => {
    // Whatever happened, this run's sandboxes go (only this project's: a fresh random name).
    if (p !== undefined) await p.owctl(['destroy', '--auto-approve']).catch(() => undefined);
    await p?.close();
  });

  it('apply from empty verifies the sandbox; a second plan is clean', async () => {
    await p.write([alice()]);
    assert.match((await applies()).stdout, /alice: verify:host-token ok/);
    assert.equal((await only()).state, 'Running');
    assert.equal((await p.owctl(['plan', '--detailed-exitcode'])).code, 0);
  });

  it('a label change lands in place (same sandbox)', async () => {
    const before = await only();
    await p.write([alice({ labels: { team: 'platform' } })]);
    await applies();
    const after = await only();
    assert.deepEqual([after.id, after.metadata.team], [before.id, 'platform']);
  });

  for (const [what, change] of [
    ['an image change', { image: env.OWCTL_TEST_OPENSANDBOX_IMAGE_V2 }],
    ['a resources change', { image: env.OWCTL_TEST_OPENSANDBOX_IMAGE_V2, memory: '1G' }],
    ['a token rotation', { image: env.OWCTL_TEST_OPENSANDBOX_IMAGE_V2, memory: '1G', tokenVersion: 'r2' }],
  ] as const) {
    it(`${what} ends with a new sandbox, Running and verified`, async () => {
      const before = await only();
      await p.write([alice({ labels: { team: 'platform' }, ...change })]);
      await applies();
      const after = await only();
      assert.notEqual(after.id, before.id);
      assert.equal(after.state, 'Running');
      const verified = await p.owctl(['verify']);
      assert.equal(verified.code, 0, verified.stdout + verified.stderr);
    });
  }

  it('destroy leaves none of this project\'s sandboxes', async () => {
    const destroyed = await p.owctl(['destroy', '--auto-approve']);
    assert.equal(destroyed.code, 0, destroyed.stdout + destroyed.stderr);
    assert.deepEqual(await p.live(), []);
  });
});
