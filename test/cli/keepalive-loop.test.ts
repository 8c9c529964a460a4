/**
 * `owctl keepalive`'s loop: a failed `msb touch` (msb exits 1 with `error: …`, a runtime error, not lost access) is
 * logged and the loop goes on; only a file that no longer loads or lost access to msb ends it. Thousands of passes,
 * with the clock and msb handed in and the client-activity reads made for real over HTTP, leave the heap and the open
 * file descriptors where they were.
 */
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { after, before, describe, it } from 'node:test';
import { keepaliveLoop, type KeepaliveDeps } from '../../src/commands/keepalive-loop.ts';
import { OwctlError } from '../../src/errors.ts';
import type { ObservedSandbox } from '../../src/model/observed.ts';
import { lastClientActivity } from '../../src/verify/activity.ts';
import { CLIENT_TOKEN, desiredSandbox, desiredState, observedFrom } from '../helpers/states.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

let server: Server;
let port = 0;
before(async () => {
  // A server a client is using: its newest OpenCode session was updated just now.
  server = createServer((req, res) => {
    if (req.headers.authorization !== `Bearer ${CLIENT_TOKEN}`) res.writeHead(401).end();
    else if (req.url === '/workspaces') res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ items: [{ id: 'ws_1' }] }));
    else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify([{ id: 'ses_1', title: 'work', time: { created: Date.now(), updated: Date.now() } }]));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const openFds = () => readdirSync('/proc/self/fd').length;

/** Deps for `passes` passes: the loop is interrupted when the last pass would sleep. `touch` decides each touch. */
function harness(passes: number, touch: (pass: number) => Promise<void>, load = async (_pass: number) => desiredState([sandbox()])) {
  const controller = new AbortController();
  let pass = 0;
  let lines = 0;
  let last = '';
  const touched: string[] = [];
  const deps: KeepaliveDeps = {
    msb: {
      inspect: async (): Promise<ObservedSandbox> => observedFrom('demo', sandbox()),
      touch: async (name) => {
        touched.push(name);
        await touch(pass);
      },
    },
    load: () => load(pass),
    activity: (url, token, signal) => lastClientActivity(url, token, signal),
    sleep: async () => {
      pass += 1;
      if (pass >= passes) controller.abort();
    },
    now: () => Date.now(),
    log: (line) => {
      lines += 1;
      last = line;
    },
  };
  return { deps, signal: controller.signal, state: () => ({ pass, lines, last, touches: touched.length }) };
}

const sandbox = () => desiredSandbox('alice', { idleTimeoutSecs: 60, ports: [{ host: port, guest: 8787, bind: '127.0.0.1', protocol: 'tcp' }] });
const touchFails = () => new OwctlError('msb.failed', 'msb touch alice failed: error: sandbox still running: alice', { hint: 'x' });

describe('keepalive loop', () => {
  it('logs a failed msb touch and goes on to the next pass (it used to exit on the first)', async () => {
    const run = harness(3, async (pass) => {
      if (pass === 0) throw touchFails();
    });
    const code = await keepaliveLoop({ names: [], once: false }, run.deps, run.signal);
    assert.equal(code, 130, 'ended by the interrupt, not by the failed touch');
    assert.equal(run.state().touches, 3, 'touched again on the next passes');
    assert.equal(run.state().lines, 3);
  });

  it('says the failed touch in its line, and keeps the client-use facts', async () => {
    const run = harness(1, async () => {
      throw touchFails();
    });
    await keepaliveLoop({ names: [], once: true }, run.deps, run.signal);
    assert.match(run.state().last, /^alice: used by a client \d+ s ago, but msb touch failed \(msb touch alice failed: error: sandbox still running: alice\); trying again next pass$/);
  });

  it('ends on lost access to msb (msb.not_found, msb.home_newer) and on a file that no longer loads', async () => {
    const lost = harness(5, async () => {
      throw new OwctlError('msb.home_newer', 'database schema is newer than this msb binary');
    });
    await assert.rejects(keepaliveLoop({ names: [], once: false }, lost.deps, lost.signal), { code: 'msb.home_newer' });
    const broken = harness(5, async () => undefined, async (pass) => {
      if (pass === 2) throw new OwctlError('config.invalid', 'openwork.yaml:3:1: bad');
      return desiredState([sandbox()]);
    });
    await assert.rejects(keepaliveLoop({ names: [], once: false }, broken.deps, broken.signal), { code: 'config.invalid' });
    assert.equal(broken.state().pass, 2, 'two good passes before the file broke');
  });

  it('runs 2,000 passes (every third touch failing) with no growth in heap or open file descriptors', { timeout: 120_000 }, async () => {
    // Measured between pass 1,000 and pass 2,000: the first passes warm up (compiled code, caches), then the heap holds.
    const CHECKPOINT = 1_000;
    const PASSES = 2_000;
    let heapAt = 0;
    let fdsAt = 0;
    const run = harness(PASSES, async (pass) => {
      if (pass % 3 === 0) throw touchFails();
    });
    const sleep = run.deps.sleep;
    run.deps.sleep = async (ms, signal) => {
      if (run.state().pass === CHECKPOINT - 1) {
        gc();
        heapAt = process.memoryUsage().heapUsed;
        fdsAt = openFds();
      }
      await sleep(ms, signal);
    };
    const started = performance.now();
    assert.equal(await keepaliveLoop({ names: [], once: false }, run.deps, run.signal), 130);
    const seconds = (performance.now() - started) / 1000;
    gc();
    const grownKiB = Math.round((process.memoryUsage().heapUsed - heapAt) / 1024);
    const fdsAfter = openFds();
    console.log(`# keepalive: ${PASSES} passes in ${seconds.toFixed(1)} s; from pass ${CHECKPOINT} to ${PASSES}: heap ${grownKiB >= 0 ? '+' : ''}${grownKiB} KiB, open fds ${fdsAt} → ${fdsAfter}`);
    assert.equal(run.state().pass, PASSES);
    assert.equal(run.state().touches, PASSES);
    assert.ok(grownKiB < 1_024, `heap grew ${grownKiB} KiB over ${PASSES - CHECKPOINT} passes`);
    assert.ok(fdsAfter <= fdsAt + 2, `open fds ${fdsAt} → ${fdsAfter}`);
    // Every request follows the loop's signal with a listener of its own: none may stay behind.
    assert.equal(getEventListeners(run.signal, 'abort').length, 0, 'no abort listener left on the long-lived signal');
  });
});
