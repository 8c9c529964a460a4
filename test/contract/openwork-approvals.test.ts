/**
 * owctl's approvals client and the real one agree against the fixture: `openwork approvals list|reply` from the
 * npm package openwork-orchestrator 0.18.1 (its platform package holds the `openwork` binary, which runs offline for
 * these verbs) sees the same pending approvals owctl lists, and each answers what the other raised and left. The
 * real client reads the host token from OPENWORK_HOST_TOKEN here, never from its command line.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { listApprovals, replyApproval } from '../../src/verify/approvals.ts';
import { type RunningFixture, startFixture } from '../fixture/start-fixture.ts';

const CLIENT = 'contract-client-token-0123456789';
const HOST = 'contract-host-token-9876543210';
const WS = 'ws_c52ddf65534b';

/** The real `openwork` binary: OWCTL_TEST_OPENWORK_BIN, else the platform package of the dev dependency. */
function locateOpenwork(): string | undefined {
  if (process.env.OWCTL_TEST_OPENWORK_BIN) return process.env.OWCTL_TEST_OPENWORK_BIN;
  try {
    const manifest = createRequire(import.meta.url).resolve(`openwork-orchestrator-${process.platform}-${process.arch}/package.json`);
    const binary = join(dirname(manifest), 'bin', 'openwork');
    return existsSync(binary) ? binary : undefined;
  } catch {
    return undefined;
  }
}

const OPENWORK = locateOpenwork();
const SKIP = OPENWORK === undefined ? 'the real openwork client is not installed (npm install brings openwork-orchestrator 0.18.1 as a dev dependency; or set OWCTL_TEST_OPENWORK_BIN)' : false;

function openwork(args: string[], url: string, hostToken = HOST): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // OWCTL_TEST_RUN marks the process for npm test's sweep of anything left running.
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, OWCTL_TEST_RUN: process.env.OWCTL_TEST_RUN ?? '', OPENWORK_URL: url, OPENWORK_HOST_TOKEN: hostToken };
    execFile(OPENWORK!, args, { env, timeout: 30_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      resolve({ code, stdout, stderr });
    });
  });
}

function write(url: string, path: string) {
  return fetch(`${url}/workspace/${WS}/files/content`, {
    method: 'POST',
    headers: { authorization: `Bearer ${CLIENT}`, 'content-type': 'application/json' },
    body: JSON.stringify({ path, content: 'x' }),
    signal: AbortSignal.timeout(30_000),
  }).then(async (res) => ({ status: res.status, body: (await res.json()) as any }));
}

describe('the real openwork approvals client and owctl agree against the fixture', () => {
  let fixture: RunningFixture;
  let endpoint: { url: string; headers: Record<string, string>; hostToken: string };

  before(async () => {
    if (SKIP) return;
    fixture = await startFixture({ clientToken: CLIENT, hostToken: HOST, env: { OPENWORK_FIXTURE_OPENCODE: 'off', OPENWORK_APPROVAL_MODE: 'manual' } });
    endpoint = { url: fixture.url, headers: {}, hostToken: HOST };
  });
  after(async () => {
    await fixture?.stop();
  });

  test('nothing pending: openwork approvals list --json answers {"items": []} and owctl lists none', { skip: SKIP }, async () => {
    const real = await openwork(['approvals', 'list', '--json'], fixture.url);
    assert.equal(real.code, 0, real.stderr);
    assert.deepEqual(JSON.parse(real.stdout), { items: [] });
    assert.deepEqual(await listApprovals(endpoint), { kind: 'ok', approvals: [] });
  });

  test('both list the same held writes; the real client allows one owctl saw, owctl denies one the real client saw', { skip: SKIP }, async () => {
    const first = write(fixture.url, 'a.md');
    const second = write(fixture.url, 'b.md');
    let mine: Awaited<ReturnType<typeof listApprovals>>;
    const deadline = Date.now() + 10_000;
    do {
      mine = await listApprovals(endpoint);
      assert.ok(Date.now() < deadline, 'two approvals pending in time');
    } while (mine.kind !== 'ok' || mine.approvals.length < 2);
    const real = await openwork(['approvals', 'list', '--json'], fixture.url);
    assert.equal(real.code, 0, real.stderr);
    const theirs = (JSON.parse(real.stdout).items as any[]).map((i) => [i.id, i.action, i.summary, i.createdAt]).sort();
    assert.deepEqual(theirs, mine.approvals.map((a) => [a.id, a.action, a.summary, a.createdAtMs]).sort());
    const byPath = new Map(mine.approvals.map((a) => [a.summary, a.id]));

    const allowed = await openwork(['approvals', 'reply', byPath.get('Write a.md')!, '--allow', '--json'], fixture.url);
    assert.equal(allowed.code, 0, allowed.stderr);
    assert.deepEqual(JSON.parse(allowed.stdout), { ok: true, allowed: true });
    assert.equal((await first).status, 200);
    const left = await listApprovals(endpoint);
    assert.deepEqual(left.kind === 'ok' && left.approvals.map((a) => a.summary), ['Write b.md'], 'owctl sees what the real client answered gone');

    assert.deepEqual(await replyApproval(endpoint, byPath.get('Write b.md')!, 'deny'), { kind: 'ok', allowed: false });
    assert.deepEqual([(await second).status, (await second).body.code], [403, 'write_denied']);
    const none = await openwork(['approvals', 'list', '--json'], fixture.url);
    assert.deepEqual(JSON.parse(none.stdout), { items: [] }, 'the real client sees what owctl answered gone');
  });

  test('an id not pending: the real client fails with 404, owctl answers not_found', { skip: SKIP }, async () => {
    const real = await openwork(['approvals', 'reply', '00000000-0000-0000-0000-000000000000', '--deny'], fixture.url);
    assert.equal(real.code, 1);
    assert.match(real.stderr + real.stdout, /Failed to reply to approval: 404/);
    assert.deepEqual(await replyApproval(endpoint, '00000000-0000-0000-0000-000000000000', 'deny'), { kind: 'not_found' });
  });

  test('a wrong host token: the real client fails with 401, owctl says the server refused the host token', { skip: SKIP }, async () => {
    const real = await openwork(['approvals', 'list', '--json'], fixture.url, 'not-the-host-token-0000000000');
    assert.equal(real.code, 1);
    assert.match(real.stderr + real.stdout, /Failed to list approvals: 401/);
    const mine = await listApprovals({ ...endpoint, hostToken: 'not-the-host-token-0000000000' });
    assert.equal(mine.kind === 'failed' && mine.state, 'refused');
    assert.ok(!JSON.stringify(mine).includes('not-the-host-token'), 'the token is not in the answer');
  });
});
