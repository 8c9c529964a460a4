/**
 * Spawning msb: the only place in owctl that starts a process. No shell, an explicit environment (never the whole
 * parent env), a timeout, stdin closed; a failed call is a result, never a throw, so every failure goes through one
 * mapping (errors.ts).
 * The Spawner interface exists so tests can record argv (to prove no secret is on it) or substitute a simulator.
 */
import { spawn } from 'node:child_process';
import { PassThrough, type Readable } from 'node:stream';
import { OwctlError } from '../errors.ts';
import { msbError } from './errors.ts';

export interface SpawnRequest {
  file: string;
  args: string[];
  /** The complete environment of the child (nothing is inherited). */
  env: Record<string, string>;
  /** How long msb may run before owctl stops it; 0 = no limit. */
  timeoutMs: number;
  /** After SIGTERM, how long before SIGKILL of msb's process group (default KILL_GRACE_MS). */
  killGraceMs?: number;
  /** Most bytes read from stdout, and from stderr, before owctl stops msb (default MAX_OUTPUT_BYTES). */
  maxOutputBytes?: number;
  /** Told msb's pid as soon as it has started. */
  onSpawn?: (pid: number) => void;
}

export interface SpawnResult {
  /** undefined when the process could not start or was killed. */
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** Node's error code when the process could not start (`ENOENT`, `EACCES`). */
  spawnError?: string;
  /** The stream that went past maxOutputBytes (msb was stopped then). */
  overflow?: 'stdout' | 'stderr';
  /** From spawn to exit. */
  durationMs?: number;
  /** Stopping a timed-out or flooding msb needed SIGKILL (it outlived SIGTERM by killGraceMs). */
  killed?: boolean;
}

export interface StreamHandle {
  stdout: Readable;
  /** Resolves when the process ends (after `stop()` too). */
  done: Promise<SpawnResult>;
  stop(): void;
}

export interface Spawner {
  run(request: SpawnRequest): Promise<SpawnResult>;
  stream(request: SpawnRequest): StreamHandle;
}

export const KILL_GRACE_MS = 5_000;
/** Far above any answer msb gives (an `ls` of 1,000 sandboxes is about 1 MiB); below what a string can hold. */
export const MAX_OUTPUT_BYTES = 64 * 1024 * 1024;
/**
 * After msb exits, how long to wait for its pipes to close: output it wrote is read at once, but a process it
 * left behind may hold them open for ever.
 */
const DRAIN_MS = 500;

/** Signals the process group `pid` leads (msb runs detached), or the process alone if the group is gone. */
function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // no such group: a read that shares owctl's group, or a group whose processes all exited
    try {
      process.kill(pid, signal);
    } catch {
      // gone
    }
  }
}

/** Read-only calls: interrupting them changes nothing (owctl abandons a read at once on a signal). */
const READS = new Set(['ls', 'list', 'inspect', 'context', 'ctx', 'doctor', 'status', 'ps', '--version']);

/**
 * Whether a call leads a process group of its own (node's `detached`: a new session). Calls that change state do,
 * so a terminal's Ctrl-C cannot cut them in half. Reads do not: the real msb 0.6.18 was seen to hang in `inspect`
 * about once per 50 parallel calls when started in a session of its own (the plan benchmark at 50 sandboxes).
 */
function ownGroup(args: readonly string[]): boolean {
  const [verb = '', sub = ''] = args;
  if (verb === 'image' || verb === 'volume') return !['inspect', 'ls', 'list'].includes(sub);
  return !READS.has(verb);
}

/**
 * Short calls (every `ls`, `inspect`, `create`…) use node:child_process directly: execa cost ~150 ms to import and
 * ~3 ms CPU per call, about 350 ms of CPU at 50 sandboxes, more than the rest of a plan (BENCHMARKS.md). Long-lived
 * streams (`logs -f`) keep execa, loaded only then, for its cleanup of children when owctl exits.
 *
 * A call that changes state runs detached, leading a process group of its own: a terminal's Ctrl-C signals only
 * owctl's group, so an interrupted owctl lets it finish; and a hung call can be stopped with everything it started.
 */
export const processSpawner: Spawner = {
  run(request) {
    return new Promise((resolve) => {
      const started = Date.now();
      const limit = request.maxOutputBytes ?? MAX_OUTPUT_BYTES;
      const child = spawn(request.file, request.args, { env: request.env, shell: false, stdio: ['ignore', 'pipe', 'pipe'], detached: ownGroup(request.args) });
      if (child.pid !== undefined) request.onSpawn?.(child.pid);
      const output = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
      const size = { stdout: 0, stderr: 0 };
      let timedOut = false;
      let overflow: SpawnResult['overflow'];
      let killed = false;
      let exited: number | undefined;
      let killTimer: NodeJS.Timeout | undefined;
      let drainTimer: NodeJS.Timeout | undefined;
      let settled = false;
      const stop = () => {
        if (killTimer !== undefined) return;
        signalGroup(child.pid, 'SIGTERM');
        killTimer = setTimeout(() => {
          killed = true;
          signalGroup(child.pid, 'SIGKILL');
        }, request.killGraceMs ?? KILL_GRACE_MS);
      };
      const timer = request.timeoutMs > 0 ? setTimeout(() => ((timedOut = true), stop()), request.timeoutMs) : undefined;
      const collect = (name: 'stdout' | 'stderr') => (chunk: Buffer) => {
        if (overflow !== undefined) return;
        size[name] += chunk.length;
        if (size[name] > limit) {
          overflow = name;
          stop();
          return;
        }
        output[name].push(chunk);
      };
      child.stdout.on('data', collect('stdout'));
      child.stderr.on('data', collect('stderr'));
      const finish = (spawnError?: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        clearTimeout(killTimer);
        clearTimeout(drainTimer);
        child.stdout.destroy();
        child.stderr.destroy();
        const result: SpawnResult = {
          exitCode: timedOut || overflow !== undefined ? undefined : exited,
          stdout: Buffer.concat(output.stdout).toString('utf8'),
          stderr: Buffer.concat(output.stderr).toString('utf8'),
          timedOut,
          durationMs: Date.now() - started,
        };
        if (overflow !== undefined) result.overflow = overflow;
        if (killed) result.killed = true;
        resolve(spawnError === undefined ? result : { ...result, spawnError });
      };
      child.on('error', (error: NodeJS.ErrnoException) => finish(error.code ?? 'ESPAWN'));
      child.on('exit', (code) => {
        exited = code ?? undefined;
        clearTimeout(killTimer);
        // What msb started and left behind goes with it when owctl stopped msb.
        if (timedOut || overflow !== undefined) signalGroup(child.pid, 'SIGKILL');
        drainTimer = setTimeout(() => finish(), DRAIN_MS);
      });
      child.on('close', () => finish());
    });
  },
  stream(request) {
    // Wrapped in an object: a subprocess is itself a promise, which `then` would otherwise wait for.
    const child = import('execa').then(({ execa }) => ({
      subprocess: execa(request.file, request.args, {
        env: request.env,
        extendEnv: false,
        reject: false,
        timeout: request.timeoutMs,
        stdin: 'ignore',
        shell: false,
        buffer: { stdout: false, stderr: true },
        maxBuffer: request.maxOutputBytes ?? MAX_OUTPUT_BYTES,
      }),
    }));
    const stdout = new PassThrough();
    // stop() may come before execa has loaded: remember it and kill the subprocess as soon as it exists.
    let stopped = false;
    let kill = () => {};
    const done = new Promise<SpawnResult>((resolve) => {
      void child.then(
        ({ subprocess }) => {
          subprocess.stdout.pipe(stdout);
          kill = () => void subprocess.kill();
          if (stopped) kill();
          void subprocess.then((result) => resolve(toResult(result)));
        },
        (error: NodeJS.ErrnoException) => resolve({ exitCode: undefined, stdout: '', stderr: '', timedOut: false, spawnError: error.code ?? 'ESPAWN' }),
      );
    });
    return {
      stdout,
      done,
      stop: () => {
        stopped = true;
        kill();
      },
    };
  },
};

interface ExecaLike {
  exitCode?: number | undefined;
  stderr?: unknown;
  timedOut?: boolean;
  code?: unknown;
}

function toResult(result: ExecaLike): SpawnResult {
  const out: SpawnResult = {
    exitCode: result.exitCode,
    stdout: '',
    stderr: typeof result.stderr === 'string' ? result.stderr : '',
    timedOut: result.timedOut === true,
  };
  if (result.exitCode === undefined && typeof result.code === 'string') out.spawnError = result.code;
  return out;
}

/** Runs msb and returns its result when it exits 0, else throws the mapped OwctlError (`subcommand` names the call). */
export async function runChecked(spawner: Spawner, request: SpawnRequest, subcommand: string, about: { image?: string } = {}): Promise<SpawnResult> {
  const result = await spawner.run(request);
  if (result.exitCode === 0) return result;
  throw failureError(request, result, subcommand, about);
}

/** `about`: what the call concerns beyond its argv (a create's image), for hints that name it. */
export function failureError(request: SpawnRequest, result: SpawnResult, subcommand: string, about: { image?: string } = {}): OwctlError {
  if (result.spawnError !== undefined) {
    return new OwctlError('msb.not_found', `cannot run msb at ${request.file} (${result.spawnError})`, {
      hint: 'check the path given by --msb, OWCTL_MSB or MSB_PATH, or reinstall owctl; `owctl doctor` shows where msb is looked for',
      details: { subcommand, path: request.file, code: result.spawnError },
    });
  }
  if (result.overflow !== undefined) {
    const limit = request.maxOutputBytes ?? MAX_OUTPUT_BYTES;
    return new OwctlError('msb.bad_output', `msb ${subcommand} wrote more than ${mebibytes(limit)} on ${result.overflow}; owctl stopped it`, {
      hint: `is ${request.file} msb 0.6.18? \`owctl doctor\` shows which msb owctl runs; point it at another with --msb PATH or OWCTL_MSB`,
      details: { subcommand, stream: result.overflow, limitBytes: limit },
    });
  }
  return msbError({
    subcommand,
    call: callLabel(request.args),
    binary: request.file,
    exitCode: result.exitCode,
    stderr: result.stderr,
    timedOut: result.timedOut,
    timeoutMs: request.timeoutMs,
    durationMs: result.durationMs,
    killed: result.killed,
    ...about,
  });
}

function mebibytes(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  return Number.isInteger(mib) ? `${mib} MiB` : `${bytes} bytes`;
}

/** msb's flags that take no value; every other flag is followed by its value (unless written `--flag=value`). */
const SWITCHES = new Set(['-q', '--quiet', '-f', '--force', '--restart', '--next-start', '--dry-run', '--no-color', '--follow', '--running', '--stopped', '-a', '--all']);

/**
 * A call as a person would name it: the subcommand and its positional arguments (`inspect alice`, `create a1` for
 * `--name a1`), never flag values nor what follows `--` (a command run in the guest).
 */
export function callLabel(args: readonly string[]): string {
  const words: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') break;
    if (arg === '--name' && args[i + 1] !== undefined) words.push(args[++i]!);
    else if (arg.startsWith('-')) {
      if (!arg.includes('=') && !SWITCHES.has(arg)) i++;
    } else words.push(arg);
  }
  return words.join(' ');
}

/** Waits for the pids in argv[2..] to be gone, then removes the folder argv[1]. Node built-ins only. */
const WAIT_THEN_REMOVE = `
const [dir, ...pids] = process.argv.slice(1);
const alive = (pid) => { try { process.kill(Number(pid), 0); return true; } catch (e) { return e.code === 'EPERM'; } };
const tick = () => pids.some(alive) ? setTimeout(tick, 250) : require('node:fs').rmSync(dir, { recursive: true, force: true });
tick();
`;

/**
 * Removes `dir` once every process in `pids` has ended, from a detached waiter that outlives owctl: for a private
 * file an msb call left running (owctl exiting at a second interrupt) may not have read yet. Synchronous, so it
 * can run in an exit handler.
 */
export function removeOnceGone(dir: string, pids: readonly number[]): void {
  spawn(process.execPath, ['-e', WAIT_THEN_REMOVE, dir, ...pids.map(String)], { detached: true, stdio: 'ignore' }).unref();
}
