/** The per-person token proofs against the OpenWork fixture (facts: /whoami answers the scope; viewers get 403 on writes; a revoked token 401). */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { issueToken, listTokens, revokeToken } from '../../src/verify/access-api.ts';
import { checkRevoked, checkTokenScope } from '../../src/verify/access-check.ts';
import { type RunningFixture, startFixture } from '../fixture/start-fixture.ts';

const HOST = 'host-token-fedcba9876543210';

describe('access checks and token routes against the fixture', () => {
  let fixture: RunningFixture;
  before(async () => {
    fixture = await startFixture({ clientToken: 'client-token-0123456789abcdef', hostToken: HOST });
  });
  after(() => fixture?.stop());
  const endpoint = () => ({ url: fixture.url, headers: {}, hostToken: HOST });

  test('a viewer token passes as viewer (reads, its write gets 403) and fails as collaborator', async () => {
    const viewer = await issueToken(endpoint(), 'viewer', 'owctl:demo/alice/bob');
    assert.equal(await checkTokenScope(endpoint(), viewer.token, 'viewer'), null);
    assert.match(String(await checkTokenScope(endpoint(), viewer.token, 'collaborator')), /acts as viewer, not collaborator/);
  });

  test('listing gives ids, scopes and labels (no values) and a boot time from /health uptimeMs; a revoked token gets 401', async () => {
    const issued = await issueToken(endpoint(), 'collaborator', 'owctl:demo/alice/carol');
    const listed = await listTokens(endpoint());
    assert.ok(listed !== null && listed.bootedAt !== null && listed.bootedAt <= Date.now());
    assert.deepEqual(listed!.tokens.find((t) => t.id === issued.id)?.label, 'owctl:demo/alice/carol');
    assert.ok(!JSON.stringify(listed).includes(issued.token));
    assert.match(String(await checkRevoked(endpoint(), issued.token)), /still answers HTTP 200/);
    await revokeToken(endpoint(), issued.id);
    await revokeToken(endpoint(), issued.id); // a token already gone counts as revoked
    assert.equal(await checkRevoked(endpoint(), issued.token), null);
    assert.match(String(await checkTokenScope(endpoint(), issued.token, 'collaborator')), /HTTP 401/);
  });

  test('another host token cannot list (null, so the plan guesses nothing)', async () => {
    assert.equal(await listTokens({ ...endpoint(), hostToken: 'not-the-host-token-0123456789' }), null);
  });
});
