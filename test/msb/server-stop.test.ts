import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OwctlError } from '../../src/errors.ts';
import { stopServerGracefully } from '../../src/msb/server-stop.ts';
import type { ServerStopOutcome } from '../../src/msb/workload.ts';

const answering = (outcome: ServerStopOutcome) => ({ stopServer: async () => outcome });

describe('graceful stop of the OpenWork server', () => {
  it('says how the server stopped, for progress output', async () => {
    assert.match(await stopServerGracefully(answering('stopped'), 'alice'), /^asked the OpenWork server to stop \(SIGTERM\); it exited after \d+\.\d s$/);
    assert.equal(await stopServerGracefully(answering('not-running'), 'alice'), 'no OpenWork server recorded as running in the guest; nothing to stop');
    assert.equal(await stopServerGracefully(answering('timed-out'), 'alice'), 'the OpenWork server did not exit within 10 s of SIGTERM; stopping the sandbox anyway');
  });

  it('never blocks the stop, replace or destroy that follows: a failing exec is reported, not thrown', async () => {
    const failing = { stopServer: async () => Promise.reject(new OwctlError('msb.failed', 'msb exec failed (exit 1)')) };
    assert.equal(await stopServerGracefully(failing, 'alice'), 'could not ask the OpenWork server to stop (msb exec failed (exit 1)); stopping the sandbox anyway');
  });
});
