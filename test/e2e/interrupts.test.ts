/**
 * Interrupts as a person makes them: Ctrl-C typed in a real terminal (which signals owctl's whole process group),
 * SIGTERM and SIGHUP sent to that group. owctl alone answers them, in every phase: msb calls in flight finish,
 * nothing new starts, the lock is released, the exit code is 130 and the output says what happened.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmod, mkdir, open, rm, writeFile } from 'node:fs/promises';
import { constants, existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { lockPath } from '../../src/apply/lock.ts';
import { CTRL_C, CTRL_D, NO_TERMINAL, inTerminal } from '../helpers/terminal.ts';
import { Project, SIMULATOR_ONLY, eventually, freePort, tokens } from './harness.ts';

const SKIP = NO_TERMINAL || SIMULATOR_ONLY;

describe('interrupts in a terminal', { skip: SKIP, timeout: 600_000 }, () => {
  let project: Project;
  const lock = () => lockPath('interrupts', project.msbHome);
  const creates = async () => (await project.msbCalls()).filter((argv) => argv[0] === 'create').length;
  const terminal = (args: string[], extra: Record<string, string> = {}, pipe?: string) =>
    inTerminal(args, { cwd: project.dir, env: project.env(extra), ...(pipe === undefined ? {} : { pipe }) });
  // A named pipe that holds up whoever reads it (the simulator's boot with MSB_SIM_BOOT_GATE, a slow msb wrapper)
  // until `release` opens it for writing and closes it: a call stays in flight exactly until the test has seen what
  // it waits for.
  const gate = (name: string) => {
    const path = join(project.dir, name);
    execFileSync('mkfifo', [path]);
    return path;
  };
  const release = (path: string) =>
    eventually(
      async () => {
        // Without a reader yet, a non-blocking open fails (ENXIO) instead of waiting for one.
        const writer = await open(path, constants.O_WRONLY | constants.O_NONBLOCK).catch((error: NodeJS.ErrnoException) => {
          if (error.code === 'ENXIO') return null;
          throw error;
        });
        await writer?.close();
        return writer !== null;
      },
      120_000,
      `the gate ${path} to be read`,
    );
  // The first interrupt acknowledged: by the progress tree (its first line goes to stderr, which the tree holds until
  // it ends), or, when the Ctrl-C came before the tree was first drawn, on stderr directly.
  const acknowledged = (run: { output(): string }) =>
    /SIGINT received: starting nothing new/.test(run.output()) ||
    (/SIGINT: finishing [a-z-]+, then stopping/.test(run.output()) && /create a2\n\s*› SIGINT: will not start/.test(run.output()));

  before(async () => {
    project = await Project.create('interrupts');
    const specs = await Promise.all(['a1', 'a2', 'a3'].map(async (name) => ({ name, port: await freePort(), tokens: tokens(name) })));
    await project.writeFile(specs);
  });
  after(() => project.cleanup());

  it('Ctrl-C mid-apply: the msb create in flight finishes, nothing new starts, exit 130 with what finished, was interrupted and never started', async () => {
    // The boot lasts until the interrupt has been acknowledged: the create is in flight when it comes, whatever the load.
    const boot = gate('boot-gate');
    const run = terminal(['apply', '--auto-approve', '--parallelism', '1'], { MSB_SIM_BOOT_GATE: boot });
    await eventually(async () => (await creates()) === 1, 120_000, 'the first msb create to start');
    // A long step shows itself in flight with its elapsed time.
    await eventually(async () => /create · [1-5] s/.test(run.output()), 120_000, 'the create step shown with its elapsed time');
    run.type(CTRL_C);
    await eventually(async () => acknowledged(run), 120_000, 'the interrupt to be acknowledged').catch((error: Error) => {
      throw new Error(`${error.message}; the terminal showed:\n${run.output()}`);
    });
    await release(boot);
    const { code, output } = await run.done;
    assert.equal(code, 130, output);
    assert.match(output, /SIGINT received: starting nothing new/);
    assert.match(output, /a1: create interrupted before launch-server/);
    assert.match(output, /Apply interrupted: 0 finished, 1 interrupted \(a1\), 2 never started \(a2, a3\)\./);
    // The tree names each sandbox on its interrupted line; the queued ones settle at once instead of spinning.
    assert.match(output, /↓ a1: interrupted before launch-server/);
    for (const name of ['a2', 'a3']) assert.match(output, new RegExp(`↓ ${name}: SIGINT: never started`));
    assert.doesNotMatch(output, /exit none|internal error|owctl doctor/);
    // The create was not killed by the terminal's SIGINT: a1 exists and booted.
    assert.equal((await project.inspect('a1'))?.status, 'Running');
    assert.equal(await creates(), 1, 'no other create started');
    assert.equal(existsSync(lock()), false, 'the lock is released');
    await project.assertNoSecrets(output);
    // (That a re-run converges after an interrupt is test/e2e/concurrency.test.ts's.)
    assert.equal((await project.owctl(['destroy', '--auto-approve'])).code, 0);
  });

  it('a second Ctrl-C stops waiting, says what may be left, releases the lock and exits 130', async () => {
    // An msb whose create starts only once owctl has gone: both interrupts come before it has read its conf file, which
    // must still be there for it afterwards.
    const slow = join(project.dir, 'msb-slow-create');
    const starting = join(project.dir, 'create-started');
    const held = gate('create-gate');
    await writeFile(slow, `#!/bin/sh\nif [ "$1" = create ]; then : > '${starting}'; cat '${held}' > /dev/null; fi\nexec '${project.msb}' "$@"\n`);
    await chmod(slow, 0o755);
    const run = terminal(['apply', '--auto-approve', '--parallelism', '1'], { OWCTL_MSB: slow });
    await eventually(async () => existsSync(starting), 120_000, 'the first msb create to start');
    run.type(CTRL_C);
    await eventually(async () => acknowledged(run), 120_000, 'the first interrupt to be acknowledged').catch((error: Error) => {
      throw new Error(`${error.message}; the terminal showed:\n${run.output()}`);
    });
    run.type(CTRL_C);
    const { code, output } = await run.done;
    assert.equal(code, 130, output);
    assert.match(output, /Two interrupts received \(SIGINT, then SIGINT\): leaving now/);
    assert.match(output, /a1: create, at step create for \d+\.\d s/);
    assert.match(output, /may be left half made: once those calls have ended, `owctl plan` shows what is left/);
    // When the tree was drawn, its last frame leaves no spinner turning; what became of each sandbox is said either way.
    if (/create a1/.test(output)) assert.match(output, /↓ a1: left running at step create \(its msb call finishes on its own\)/);
    assert.match(output, /Apply interrupted: 0 finished, 1 left running \(a1\), 2 never started \(a2, a3\)\./);
    assert.equal(existsSync(lock()), false, 'the lock is released');
    // The msb call was left to finish on its own: the sandbox appears once it has.
    await release(held);
    await eventually(async () => (await project.inspect('a1'))?.status === 'Running', 120_000, 'the abandoned create to finish').catch(
      async (error: Error) => {
        const logs = await project.msbRaw(['logs', '--source', 'system', 'a1']);
        throw new Error(`${error.message}; a1 is ${(await project.inspect('a1'))?.status ?? 'gone'}; its system log:\n${logs.stdout}${logs.stderr}`);
      },
    );
    assert.equal((await project.owctl(['destroy', '--auto-approve'])).code, 0);
  });

  it('Ctrl-C at the approval prompt cancels the apply (exit 130); Ctrl-D cancels it too (exit 1); the lock is released', async () => {
    for (const [key, exit] of [[CTRL_C, 130], [CTRL_D, 1]] as const) {
      const run = terminal(['apply']);
      await eventually(async () => /Enter a value:/.test(run.output()), 120_000, 'the prompt');
      assert.equal(existsSync(lock()), true, 'the lock is held while asking');
      run.type(key);
      const { code, output } = await run.done;
      assert.equal(code, exit, output);
      assert.match(output, /Apply cancelled\./);
      assert.doesNotMatch(output, /internal error|bug in owctl/);
      assert.equal(existsSync(lock()), false, 'the lock is released');
    }
    assert.deepEqual(await project.names(), []);
  });

  it('asks when stdin is a terminal even if stdout is piped (`owctl apply | cat`)', async () => {
    const run = terminal(['apply'], {}, '| cat');
    await eventually(async () => /Enter a value:/.test(run.output()), 120_000, 'the prompt');
    run.type('no\n');
    const { code, output } = await run.done;
    assert.equal(code, 1, output);
    assert.match(output, /Apply cancelled\./);
    assert.doesNotMatch(output, /no TTY|not a TTY/);
  });

  it('SIGTERM and SIGHUP while waiting for the lock: exit 143 and 129, saying so; the other holder keeps its lock', async () => {
    // Another live owctl (this test process stands in for it) holds the project's lock.
    const holder = { pid: process.pid, host: hostname(), command: 'apply', project: 'interrupts', msb_home: project.msbHome, started_at: new Date().toISOString() };
    // (Its folder exists once any apply ran; this test may also run alone.)
    await mkdir(dirname(lock()), { recursive: true });
    await writeFile(lock(), JSON.stringify(holder));
    try {
      for (const signal of ['SIGTERM', 'SIGHUP'] as const) {
        const calls = (await project.msbCalls()).length;
        const run = terminal(['apply', '--auto-approve', '--lock-timeout', '5m']);
        // `msb context` runs while the file is read, just before the lock is taken.
        await eventually(async () => (await project.msbCalls()).slice(calls).some((argv) => argv[0] === 'context'), 120_000, 'msb context');
        // The wait is never silent: it names the holder (this process) and since when.
        if (signal === 'SIGTERM') {
          const said = () => new RegExp(`waiting up to 300 s for the project lock: pid ${process.pid} on`).test(run.output()) && /\(owctl apply\) holds it\s+since \d\d:\d\d:\d\d/.test(run.output());
          await eventually(async () => said(), 120_000, 'the lock wait to be announced');
        }
        await run.signalGroup(signal);
        const { code, output } = await run.done;
        assert.equal(code, signal === 'SIGTERM' ? 143 : 129, output);
        assert.match(output, new RegExp(`error: interrupted by ${signal} while (waiting for the project lock|reading the file); nothing was changed`));
        assert.equal(existsSync(lock()), true, "another process's lock is left alone");
      }
    } finally {
      await import('node:fs/promises').then((fs) => fs.rm(lock(), { force: true }));
    }
  });

  it('SIGHUP (the terminal closed), SIGTERM and SIGINT while observing: exit 129, 143, 130 and the lock released, for apply, destroy and plan', async () => {
    // An msb whose `ls` takes 20 s: owctl is observing when the signal comes.
    const slow = join(project.dir, 'msb-slow-ls');
    // It marks the start of `ls` before sleeping (the argv log is written only when the real call runs, afterwards).
    const listing = join(project.dir, 'ls-started');
    await writeFile(slow, `#!/bin/sh\nif [ "$1" = ls ]; then : > '${listing}'; sleep 20; fi\nexec '${project.msb}' "$@"\n`);
    await chmod(slow, 0o755);
    const cases: Array<[string[], NodeJS.Signals, number]> = [
      [['apply', '--auto-approve'], 'SIGHUP', 129],
      [['destroy', '--auto-approve', '--json'], 'SIGTERM', 143],
      [['plan'], 'SIGINT', 130],
    ];
    for (const [args, signal, exit] of cases) {
      await rm(listing, { force: true });
      const run = terminal(args, { OWCTL_MSB: slow });
      await eventually(async () => existsSync(listing), 120_000, 'msb ls');
      await run.signalGroup(signal);
      const { code, output } = await run.done;
      assert.equal(code, exit, `${args.join(' ')}: ${output}`);
      assert.match(output, new RegExp(`interrupted by ${signal} while (observing live state|running); nothing was changed`), args.join(' '));
      if (args.includes('--json')) {
        const events = output.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line));
        assert.deepEqual(events.map((e) => e.type), ['version', 'error', 'summary']);
        assert.equal(events[1].code, 'apply.interrupted');
        assert.equal(events[2].exit_code, exit);
      }
      assert.equal(existsSync(lock()), false, `${args.join(' ')}: the lock is released`);
    }
  });

  it('verify --url interrupted says which step of which URL it cut short, exit 130', async () => {
    let hits = 0;
    const server: Server = createServer((_request, response) => {
      hits++;
      response.writeHead(503).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      const run = terminal(['verify', '--url', url], { OPENWORK_TOKEN: 'client-token-0123456789abcdef', OPENWORK_HOST_TOKEN: 'host-token-0123456789abcdef' });
      await eventually(async () => hits > 0, 120_000, 'the first /health request');
      run.type(CTRL_C);
      const { code, output } = await run.done;
      assert.equal(code, 130, output);
      assert.match(output, new RegExp(`verification of ${url} interrupted by SIGINT at step health \\(${url}/health\\) after \\d+\\.\\d s`));
      assert.match(output, /Nothing was changed/);
    } finally {
      server.close();
    }
  });
});
