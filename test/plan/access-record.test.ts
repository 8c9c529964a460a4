import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { accessLabel } from '../../src/model/access.ts';
import {
  accessFromRecord,
  accessRecordLabels,
  accessRecordOf,
  accessRecordPatch,
  fileAgainstRecord,
  recordFromServer,
  recordName,
  tokenValueDigest,
} from '../../src/model/access-record.ts';

const SALT = 'ab'.repeat(16);
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_KEY_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

describe("owctl's access record (labels on msb, metadata on OpenSandbox)", () => {
  it('round-trips through labels, every key and value in Kubernetes label syntax, never the value', () => {
    const value = 'owt_0123456789abcdef0123456789abcdef';
    const record = { salt: SALT, people: { bob: { scope: 'viewer' as const, id: 'tok_1a2b', digest: tokenValueDigest('team', 'bob', value, SALT) } } };
    const labels = accessRecordLabels(record);
    assert.deepEqual(Object.keys(labels), ['owctl.dev/access-salt', 'owctl.dev/a.bob', 'owctl.dev/ad.bob']);
    for (const [key, v] of Object.entries(labels)) {
      assert.ok(LABEL_KEY_NAME.test(key.slice('owctl.dev/'.length)) && key.length - 'owctl.dev/'.length <= 63, key);
      assert.ok(LABEL_VALUE.test(v) && v.length <= 63, v);
      assert.ok(!v.includes(value));
    }
    assert.deepEqual(accessRecordOf({ ...labels, team: 'x' }), record);
    // Salted: not a plain hash of the value, and another salt gives another digest.
    assert.ok(!labels['owctl.dev/ad.bob']!.includes(createHash('sha256').update(value).digest('hex').slice(0, 32)));
    assert.notEqual(tokenValueDigest('team', 'bob', value, 'cd'.repeat(16)), labels['owctl.dev/ad.bob']);
  });

  it('this machine\'s file against the record: current, other (rotated elsewhere), unknown (no digest or no record)', () => {
    const record = { salt: SALT, people: { bob: { scope: 'viewer' as const, id: 'tok_1', digest: tokenValueDigest('team', 'bob', 'owt_new', SALT) } } };
    assert.equal(fileAgainstRecord(record, 'team', 'bob', 'owt_new'), 'current');
    assert.equal(fileAgainstRecord(record, 'team', 'bob', 'owt_old'), 'other');
    assert.equal(fileAgainstRecord(record, 'team', 'carol', 'owt_new'), 'unknown');
    assert.equal(fileAgainstRecord(null, 'team', 'bob', 'owt_new'), 'unknown');
  });

  it("a name that does not fit a key is hashed; an id that does not fit a value is left out, and then nothing is planned from it", () => {
    const long = `p${'x'.repeat(61)}`;
    assert.match(recordName(long), /^h-[0-9a-f]{24}$/);
    assert.match(recordName('dash-'), /^h-/);
    assert.equal(recordName('bob.smith'), 'bob.smith');
    const labels = accessRecordLabels({ salt: null, people: { bob: { scope: 'collaborator', id: 'has spaces/and:colons', digest: null } } });
    assert.deepEqual(labels, { 'owctl.dev/a.bob': 'collaborator' });
    assert.equal(accessFromRecord(accessRecordOf(labels)!, 'demo', 'team', ['bob']), null);
  });

  it('is rewritten from the server: the newest token per person, digests kept by id; the patch deletes what is gone', () => {
    const label = (person: string) => accessLabel('demo', 'team', person);
    const access = {
      bootedAt: null,
      tokens: [
        { id: 'tok_old', scope: 'viewer', label: label('bob'), createdAt: 1 },
        { id: 'tok_new', scope: 'viewer', label: label('bob'), createdAt: 2 },
        { id: 'tok_x', scope: 'owner', label: 'my laptop', createdAt: 1 },
      ],
    };
    const next = recordFromServer(access, 'demo', 'team', SALT, new Map([['tok_new', 'v1-00']]));
    assert.deepEqual(next.people, { bob: { scope: 'viewer', id: 'tok_new', digest: 'v1-00' } });
    const before = { 'owctl.dev/a.carol': 'viewer.tok_c', 'owctl.dev/ad.carol': 'v1-11', 'owctl.dev/project': 'demo' };
    assert.deepEqual(accessRecordPatch(before, next), {
      'owctl.dev/a.carol': null,
      'owctl.dev/ad.carol': null,
      'owctl.dev/access-salt': SALT,
      'owctl.dev/a.bob': 'viewer.tok_new',
      'owctl.dev/ad.bob': 'v1-00',
    });
  });
});
