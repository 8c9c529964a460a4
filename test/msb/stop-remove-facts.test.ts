/**
 * The graceful server stop is bounded as the README says (a wait of 10 s, the whole call shortly after, however
 * msb behaves), and a removal is judged by the fact, not msb's exit code: an `rm` that removed the sandbox but
 * exited non-zero is a removal, not "removed outside owctl".
 */
import assert from 'node:assert/strict';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { msbBackend } from '../../src/msb/backend.ts';
import { Msb } from '../../src/msb/driver.ts';
import { liveObserver } from '../../src/msb/live-observer.ts';
import type { SpawnRequest, Spawner } from '../../src/msb/run.ts';
import { SERVER_STOP_WAIT_SECS } from '../../src/msb/workload.ts';
import { SIM_MSB, makeSim } from '../contract/harness.ts';
import type { Side } from '../contract/harness.ts';
import { writeOciImage } from '../helpers/oci-image.ts';

describe('graceful stop bound', () => {
  it('the msb exec that asks the server to stop is given at most 10 s more than the wait, not the 180 s of other lifecycle calls', async () => {
    const seen: SpawnRequest[] = [];
    const spawner: Spawner = {
      run: async (request) => (seen.push(request), { exitCode: 0, stdout: '', stderr: '', timedOut: false }),
      stream: () => {
        throw new Error('not used');
      },
    };
    const msb = new Msb('/nonexistent/msb', {}, { spawner });
    assert.equal(await msb.stopServer('alice'), 'stopped');
    const [request] = seen;
    assert.ok(request !== undefined);
    assert.ok(request.timeoutMs <= (SERVER_STOP_WAIT_SECS + 10) * 1000, `bounded at ${request.timeoutMs} ms`);
    const flag = request.args[request.args.indexOf('--timeout') + 1];
    assert.ok(Number.parseInt(flag ?? '', 10) * 1000 < request.timeoutMs, `msb's own --timeout (${flag}) ends it first`);
  });
});

describe('a removal msb reports as failed', () => {
  let sim: Side & { work: string; cleanup(): Promise<void> };
  before(async () => {
    sim = await makeSim({});
    const image = await writeOciImage(sim.work, { ref: 'owctl-rm:1' });
    assert.equal((await sim.run(['load', '-q', '-i', image.archive])).exitCode, 0);
  });
  after(() => sim?.cleanup());

  it('is a removal when the sandbox is gone (rm exited 1 after removing it)', async () => {
    assert.equal((await sim.run(['create', 'owctl-rm:1', '--pull', 'never', '--name', 'gone'])).exitCode, 0);
    // An msb whose rm removes the sandbox, then fails at something after (a leftover folder, a log it could not write).
    const wrapper = join(sim.work, 'msb-rm-fails');
    await writeFile(wrapper, `#!/bin/sh\n"${SIM_MSB}" "$@"; status=$?\nif [ "$1" = rm ]; then echo 'error: failed to clean up sandbox directory' >&2; exit 1; fi\nexit $status\n`);
    await chmod(wrapper, 0o755);
    const msb = new Msb(wrapper, sim.env);
    const backend = msbBackend(liveObserver(msb, { path: wrapper, source: 'flag' }, sim.env), { secrets: [] });
    await backend.remove('gone');
    assert.equal((await sim.run(['inspect', 'gone', '--format', 'json'])).exitCode, 1, 'it is gone');
  });
});
