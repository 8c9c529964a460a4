/** Text msb writes to stderr reaches users inside error messages: secrets and terminal control never do. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Msb } from '../../src/msb/driver.ts';
import type { SpawnRequest, SpawnResult, Spawner } from '../../src/msb/run.ts';
import { CLIENT_TOKEN, HOST_TOKEN, desired } from '../msb/desired.ts';

const NUL_TOKEN = `${CLIENT_TOKEN}\u0000tail`;

function failing(stderr: string): Spawner {
  const result: SpawnResult = { exitCode: 1, stdout: '', stderr, timedOut: false };
  return {
    run: async (_request: SpawnRequest) => result,
    stream: () => {
      throw new Error('not used');
    },
  };
}

async function messageOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    const e = error as { message: string; hint?: string; details?: unknown };
    return `${e.message}\n${e.hint ?? ''}\n${JSON.stringify(e.details ?? {})}`;
  }
  throw new Error('expected a failure');
}

describe('msb stderr inside errors', () => {
  it('create: the tokens of the sandbox being created are redacted, controls stripped', async () => {
    const stderr = `error: invalid config: env OPENWORK_TOKEN=${NUL_TOKEN} is not valid\u001b]0;owned\u0007\n  → host token was ${HOST_TOKEN}\u001b[2J\n`;
    const msb = new Msb('/bin/msb', {}, { spawner: failing(stderr) });
    const text = await messageOf(msb.create(desired('web'), {}));
    assert.ok(!text.includes(CLIENT_TOKEN) && !text.includes(HOST_TOKEN), text);
    assert.match(text, /\[redacted\]/);
    assert.ok(!/[\u0000-\u0008\u000b-\u001f]/.test(text.replace(/\n/g, '')), JSON.stringify(text));
  });

  it('any call: the secrets a command registered are redacted from every msb failure', async () => {
    const msb = new Msb('/bin/msb', {}, { spawner: failing(`error: sandbox not found: ${CLIENT_TOKEN}\n`) });
    msb.addSecrets([CLIENT_TOKEN]);
    const text = await messageOf(msb.start('web'));
    assert.ok(!text.includes(CLIENT_TOKEN), text);
  });
});
