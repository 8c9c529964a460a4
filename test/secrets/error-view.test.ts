/** Whatever produced an error, no secret the run has read reaches the user with it (text and --json). */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { runCommand } from '../../src/cli/main.ts';
import type { CommandIO } from '../../src/commands/io.ts';
import { OwctlError } from '../../src/errors.ts';
import { rememberSecrets } from '../../src/secrets/known.ts';

const SECRET = 'remembered-secret-0123456789';

it('an error carrying a remembered secret is rendered redacted, in text and JSON', async () => {
  rememberSecrets([SECRET]);
  for (const json of [false, true]) {
    let out = '';
    const io: CommandIO = { stdout: (t) => void (out += t), stderr: (t) => void (out += t), env: {}, cwd: '/', interactive: false, color: false };
    const code = await runCommand(io, json, async () => {
      throw new OwctlError('msb.failed', `msb said: bad value ${SECRET}\u001b]0;x\u0007`, { hint: `retry without ${SECRET}`, details: { echoed: SECRET } });
    });
    assert.equal(code, 1);
    assert.ok(!out.includes(SECRET), out);
    assert.match(out, /\[redacted\]/);
    assert.ok(!out.includes('\u0007'));
  }
});
