/** An update's credential fields → `msb modify --secret/--secret-rm`, with every value only for msb's environment. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { modifyPatch } from '../../src/apply/patch.ts';
import type { Change } from '../../src/model/plan.ts';
import { modifyArgs } from '../../src/msb/modify.ts';
import { desiredSandbox } from '../helpers/states.ts';

const KEY = 'sk-ant-patch-SECRET-0123456789';

describe('credential changes as an msb modify', () => {
  const sandbox = desiredSandbox('alice', {
    credentials: { ANTHROPIC_API_KEY: { value: KEY, hosts: ['api.anthropic.com', '*.anthropic.com'] }, OPENAI_API_KEY: { value: `${KEY}-o`, hosts: ['api.openai.com'] } },
  });
  const field = (path: string) => ({ path, before: '(sensitive value)', after: '(sensitive value)', sensitive: true, disposition: 'restart' as const, origin: 'file' as const });
  const change: Change = {
    sandbox: 'alice',
    action: 'update',
    reason: 'will be updated in place',
    fields: [field('credentials.ANTHROPIC_API_KEY.value'), field('credentials.ANTHROPIC_API_KEY.hosts'), field('credentials.GONE_KEY')],
    unchanged: 0,
    restart: true,
    start: true,
    blocked: false,
  };

  it('a new value and new hosts are one --secret; a credential no longer declared is --secret-rm; the values travel apart from argv', () => {
    const patch = modifyPatch('demo', change, sandbox);
    assert.deepEqual(patch.secrets, ['ANTHROPIC_API_KEY']);
    assert.deepEqual(patch.secretRemove, ['GONE_KEY']);
    assert.equal(patch.credentials?.ANTHROPIC_API_KEY?.value, KEY, 'every credential, for msb to start the sandbox with');
    const args = modifyArgs('alice', { secrets: patch.secrets, secretRemove: patch.secretRemove, credentials: patch.credentials }, { restart: true });
    assert.deepEqual(args, ['modify', 'alice', '--secret=ANTHROPIC_API_KEY@api.anthropic.com,*.anthropic.com', '--secret-rm=GONE_KEY', '--restart', '--format', 'json']);
    assert.equal(args.join(' ').includes(KEY), false);
  });

  it('an update without credential fields touches no secret', () => {
    const patch = modifyPatch('demo', { ...change, fields: [] }, sandbox);
    assert.equal(patch.secrets, undefined);
    assert.equal(patch.credentials, undefined);
  });
});
