/**
 * `owctl validate`'s plain forms (`[-f FILE | --file FILE] validate [--json]`) run a script of their own
 * (dist/bundle/validate.cjs, src/cli/validate-main.ts) chosen by bin/owctl.js; every other form runs the whole CLI.
 * Each case here runs a plain form and the same command through the whole CLI (the same arguments and `--no-color`,
 * which changes nothing when stdout is not a terminal) and requires the same stdout, stderr and exit code. The
 * plain forms run from a copy of the package without the whole CLI's script, so they cannot have run it.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, constants, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

const ROOT = join(import.meta.dirname, '..', '..');
const TOKENS = { OPENWORK_TOKEN: 'bin-test-client-0123456789', OPENWORK_HOST_TOKEN: 'bin-test-host-0123456789' };
const NO_SCRIPT = spawnSync('script', ['--version']).status === 0 ? false : 'needs util-linux `script` for a pseudo-terminal';
const NO_MKFIFO = spawnSync('mkfifo', ['--version']).status === 0 ? false : 'needs coreutils `mkfifo`';

describe('owctl validate: the plain forms\' own script answers as the whole CLI does', () => {
  let dir: string;
  let fastBin: string;
  const envOf = (extra: NodeJS.ProcessEnv) => ({ PATH: process.env.PATH, HOME: dir, MSB_HOME: join(dir, 'msb-home'), ...extra });
  const run = (bin: string, args: string[], cwd: string, extra: NodeJS.ProcessEnv) => spawnSync(process.execPath, [bin, ...args], { cwd, env: envOf(extra), encoding: 'utf8' });

  /** The plain form from the copy without the whole CLI, and the whole CLI with `--no-color` added: the same answer. */
  function same(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; status: number }): string {
    const cwd = options.cwd ?? dir;
    const env = options.env ?? TOKENS;
    const fast = run(fastBin, args, cwd, env);
    const full = run(join(ROOT, 'bin', 'owctl.js'), [...args, '--no-color'], cwd, env);
    assert.equal(fast.status, options.status, `${args.join(' ')}: ${fast.stderr}`);
    assert.deepEqual({ status: fast.status, stdout: fast.stdout, stderr: fast.stderr }, { status: full.status, stdout: full.stdout, stderr: full.stderr }, args.join(' '));
    return fast.stdout + fast.stderr;
  }

  before(() => {
    const script = join(ROOT, 'dist', 'bundle', 'validate.cjs');
    assert.ok(existsSync(script), 'dist/bundle/validate.cjs is missing: run `npm run build`');
    dir = mkdtempSync(join(tmpdir(), 'owctl-bin-validate-'));
    const pkg = join(dir, 'package');
    mkdirSync(join(pkg, 'bin'), { recursive: true });
    mkdirSync(join(pkg, 'dist', 'bundle'), { recursive: true });
    for (const file of ['owctl.js', 'package.json']) copyFileSync(join(ROOT, 'bin', file), join(pkg, 'bin', file));
    copyFileSync(script, join(pkg, 'dist', 'bundle', 'validate.cjs'));
    symlinkSync(join(ROOT, 'schemas'), join(pkg, 'schemas'));
    symlinkSync(join(ROOT, 'node_modules'), join(pkg, 'node_modules'));
    copyFileSync(join(ROOT, 'package.json'), join(pkg, 'package.json'));
    fastBin = join(pkg, 'bin', 'owctl.js');
    mkdirSync(join(dir, 'project', 'deeper'), { recursive: true });
    writeFileSync(join(dir, 'project', 'openwork.yaml'), readFileSync(join(ROOT, 'openwork.yaml'), 'utf8'));
    writeFileSync(join(dir, 'bad.yaml'), 'version: 1\nproject: demo\nsandboxes:\n  a:\n    image: x\n    memory: 2G\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('runs without the whole CLI only for the plain forms', () => {
    const other = run(fastBin, ['validate', '--help'], dir, TOKENS);
    assert.notEqual(other.status, 0);
    assert.match(other.stderr, /owctl\.cjs/);
  });

  it('a valid file: -f, --file, --json, variables set or unset', () => {
    const file = join(dir, 'project', 'openwork.yaml');
    assert.match(same(['-f', file, 'validate'], { status: 0 }), /valid \(2 sandboxes\)/);
    same(['--file', file, 'validate', '--json'], { status: 0 });
    assert.match(same(['-f', file, 'validate'], { env: {}, status: 0 }), /warning: .*OPENWORK_TOKEN is not set/);
    same(['-f', file, 'validate', '--json'], { env: {}, status: 0 });
  });

  it('an invalid file, as text, as JSON and under GitHub Actions', () => {
    assert.match(same(['-f', 'bad.yaml', 'validate'], { status: 1 }), /bad\.yaml:6:5: error: sandboxes\.a\.memory: unknown key "memory"/);
    same(['-f', 'bad.yaml', 'validate', '--json'], { status: 1 });
    assert.match(same(['-f', 'bad.yaml', 'validate'], { env: { ...TOKENS, GITHUB_ACTIONS: 'true' }, status: 1 }), /::error file=/);
  });

  it('the default file: here, in a parent folder, in none, or named by OWCTL_FILE', () => {
    same(['validate'], { cwd: join(dir, 'project'), status: 0 });
    assert.match(same(['validate'], { cwd: join(dir, 'project', 'deeper'), status: 0 }), /using \.\.\/openwork\.yaml \(found in a parent folder\)/);
    assert.match(same(['validate', '--json'], { cwd: dir, status: 1 }), /nor in any parent folder/);
    same(['validate'], { cwd: join(dir, 'project', 'deeper'), env: { ...TOKENS, OWCTL_FILE: 'openwork.yaml' }, status: 1 });
    same(['validate'], { cwd: dir, env: { ...TOKENS, OWCTL_FILE: 'bad.yaml' }, status: 1 });
    same(['-f', 'missing.yaml', 'validate'], { status: 1 });
  });

  // Here the plain forms write pipes, sockets and files with fs.writeSync, not through process.stdout/stderr
  // (src/commands/process-output.ts); the cases above ran over socket pairs (spawnSync's pipes).

  it('stdout and stderr to files: the same bytes as the whole CLI', () => {
    const write = (bin: string, args: string[], name: string) => {
      const out = openSync(join(dir, `${name}.out`), 'w');
      const err = openSync(join(dir, `${name}.err`), 'w');
      const result = spawnSync(process.execPath, [bin, ...args], { cwd: dir, env: envOf({}), stdio: ['ignore', out, err] });
      closeSync(out);
      closeSync(err);
      return { status: result.status, stdout: readFileSync(join(dir, `${name}.out`), 'utf8'), stderr: readFileSync(join(dir, `${name}.err`), 'utf8') };
    };
    const file = join(dir, 'project', 'openwork.yaml');
    const fast = write(fastBin, ['-f', file, 'validate'], 'fast');
    assert.match(fast.stdout, /valid \(2 sandboxes\)/);
    assert.match(fast.stderr, /OPENWORK_TOKEN is not set/);
    assert.deepEqual(fast, write(join(ROOT, 'bin', 'owctl.js'), ['-f', file, 'validate', '--no-color'], 'full'));
  });

  it('a reader that went away (EPIPE) ends the output, not the run', async () => {
    const gone = async (bin: string, args: string[]) => {
      const child = spawn(process.execPath, [bin, ...args], { cwd: dir, env: envOf(TOKENS), stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.destroy(); // before owctl has loaded: its first write meets a closed reader
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
      const [status] = (await once(child, 'close')) as [number | null];
      return { status, stderr };
    };
    const fast = await gone(fastBin, ['-f', 'bad.yaml', 'validate']);
    assert.equal(fast.status, 1);
    assert.deepEqual(fast, await gone(join(ROOT, 'bin', 'owctl.js'), ['-f', 'bad.yaml', 'validate', '--no-color']));
    const valid = await gone(fastBin, ['-f', 'project/openwork.yaml', 'validate']);
    assert.equal(valid.status, 0);
    assert.deepEqual(valid, await gone(join(ROOT, 'bin', 'owctl.js'), ['-f', 'project/openwork.yaml', 'validate', '--no-color']));
  });

  it('a non-blocking pipe that is full: the text waits for the reader and arrives whole, in order', { skip: NO_MKFIFO, timeout: 60_000 }, async () => {
    // stderr is a full FIFO. libuv makes a child's fds 0-2 blocking when it spawns it, so a module preloaded with
    // --require makes fd 2 non-blocking again, as Node does when it creates process.stderr for a pipe: the first
    // direct write of the warnings then fails with EAGAIN, and they must go through the stream, which waits until the
    // reader drains the FIFO. It is drained only after stdout's line, which owctl writes after the warnings.
    const fifo = join(dir, 'full.fifo');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
    const preload = join(dir, 'nonblocking-stderr.cjs');
    writeFileSync(preload, 'process.stderr;\n');
    const readEnd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    const writeEnd = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
    const filler = Buffer.alloc(4096, 'x');
    let filled = 0;
    for (;;) {
      try {
        filled += writeSync(writeEnd, filler);
      } catch (error) {
        assert.equal((error as NodeJS.ErrnoException).code, 'EAGAIN');
        break;
      }
    }
    const args = ['-f', 'project/openwork.yaml', 'validate'];
    const child = spawn(process.execPath, ['--require', preload, fastBin, ...args], { cwd: dir, env: envOf(TOKENS), stdio: ['ignore', 'pipe', writeEnd], timeout: 30_000 });
    closeSync(writeEnd); // the child holds the only write end now: the reader sees the end when it exits
    const closed = once(child, 'close');
    const out = child.stdout!; // stdio[1] is 'pipe'
    let stdout = '';
    const line = new Promise<void>((resolve) => {
      // The child holds fd 1 until it exits, and it cannot exit before its stderr is drained: wait for the line, not the end.
      out.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes('\n')) resolve();
      });
    });
    await Promise.race([line, closed]); // killed after 30 s: stdout's line never came while stderr was full
    assert.equal(stdout, 'project/openwork.yaml: valid (2 sandboxes)\n', 'stdout\'s line, written while stderr was full');
    const reader = new Socket({ fd: readEnd, readable: true, writable: false });
    const chunks: Buffer[] = [];
    reader.on('data', (chunk: Buffer) => chunks.push(chunk));
    await once(reader, 'end');
    const [status] = (await closed) as [number | null];
    const stderr = Buffer.concat(chunks).toString('utf8');
    assert.equal(status, 0);
    assert.equal(stderr.slice(0, filled), 'x'.repeat(filled));
    const expected = run(join(ROOT, 'bin', 'owctl.js'), [...args, '--no-color'], dir, TOKENS).stderr;
    assert.match(expected, /BOB_OPENWORK_TOKEN is not set/);
    assert.equal(stderr.slice(filled), expected);
  });

  it('a terminal: colours and the terminal\'s width, byte for byte as the whole CLI', { skip: NO_SCRIPT }, () => {
    // `--file=FILE` is not a plain form: bin/owctl.js runs the whole CLI for it, with the same meaning.
    const inTerminal = (bin: string, args: string[]) => {
      const line = ['stty cols 50 rows 40;', 'exec', process.execPath, bin, ...args].map((word) => (word.endsWith(';') ? word : `'${word}'`)).join(' ');
      return spawnSync('script', ['-qfec', line, '/dev/null'], { cwd: dir, env: { ...envOf(TOKENS), TERM: 'xterm-256color' }, encoding: 'utf8' });
    };
    const fast = inTerminal(fastBin, ['-f', 'bad.yaml', 'validate']);
    assert.equal(fast.status, 1, fast.stdout);
    assert.match(fast.stdout, /\u001b\[[0-9;]*m/, 'coloured');
    assert.ok(fast.stdout.split(/\r?\n/).every((line) => line.replace(/\u001b\[[0-9;]*m/g, '').length <= 50), fast.stdout);
    assert.equal(fast.stdout, inTerminal(join(ROOT, 'bin', 'owctl.js'), ['--file=bad.yaml', 'validate']).stdout);
  });
});
