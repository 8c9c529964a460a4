/** Without a terminal to ask on, each verb's refusal names a way that does what was asked. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { confirm } from '../../src/commands/confirm.ts';
import type { CommandIO } from '../../src/commands/io.ts';
import { OwctlError } from '../../src/errors.ts';

const io: CommandIO = { stdout: () => undefined, stderr: () => undefined, env: {}, cwd: '/', interactive: false, color: false };

async function refusal(verb: 'apply' | 'destroy' | 'import', json = false): Promise<OwctlError> {
  const error = await confirm('Do it?', { autoApprove: false, savedPlan: false, json }, io, verb).then(
    () => assert.fail('confirmed without a terminal'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof OwctlError);
  assert.equal(error.code, 'apply.not_approved');
  return error;
}

describe('confirm without a terminal', () => {
  it('apply: --auto-approve, or a saved plan', async () => {
    for (const json of [false, true]) {
      const { hint } = await refusal('apply', json);
      assert.match(hint!, /--auto-approve/);
      assert.match(hint!, /owctl plan -o plan\.json/);
    }
  });

  it('destroy: --auto-approve only (a saved plan of the file destroys nothing)', async () => {
    for (const json of [false, true]) {
      const { hint } = await refusal('destroy', json);
      assert.match(hint!, /`owctl destroy --auto-approve/);
      assert.doesNotMatch(hint!, /plan\.json|owctl apply/);
    }
  });

  it('import: --auto-approve', async () => {
    const { hint } = await refusal('import');
    assert.match(hint!, /`owctl import NAME… --auto-approve`/);
    assert.doesNotMatch(hint!, /plan\.json/);
  });
});
