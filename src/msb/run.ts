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
  timeoutMs: number;
}

export interface SpawnResult {
  /** undefined when the process could not start or was killed. */
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** Node's error code when the process could not start (`ENOENT`, `EACCES`). */
  spawnError?: string;
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

/**
 * Short calls (every `ls`, `inspect`, `create`…) use node:child_process directly: execa cost ~150 ms to import and
 * ~3 ms CPU per call, about 350 ms of CPU at 50 sandboxes, more than the rest of a plan (BENCHMARKS.md). Long-lived
 * streams (`logs -f`) keep execa, loaded only then, for its cleanup of children when owctl exits.
 */
export const processSpawner: Spawner = {
  run(request) {
    return new Promise((resolve) => {
      const child = spawn(request.file, request.args, { env: request.env, shell: false, stdio: ['ignore', 'pipe', 'pipe'] });
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      let timedOut = false;
      const timer =
        request.timeoutMs > 0
          ? setTimeout(() => {
              timedOut = true;
              child.kill('SIGTERM');
            }, request.timeoutMs)
          : undefined;
      child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
      const finish = (exitCode: number | undefined, spawnError?: string) => {
        clearTimeout(timer);
        const result: SpawnResult = {
          exitCode: timedOut ? undefined : exitCode,
          stdout: Buffer.concat(stdout).toString('utf8'),
          stderr: Buffer.concat(stderr).toString('utf8'),
          timedOut,
        };
        resolve(spawnError === undefined ? result : { ...result, spawnError });
      };
      child.on('error', (error: NodeJS.ErrnoException) => finish(undefined, error.code ?? 'ESPAWN'));
      child.on('close', (code) => finish(code ?? undefined));
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
export async function runChecked(spawner: Spawner, request: SpawnRequest, subcommand: string): Promise<SpawnResult> {
  const result = await spawner.run(request);
  if (result.exitCode === 0) return result;
  throw failureError(request, result, subcommand);
}

export function failureError(request: SpawnRequest, result: SpawnResult, subcommand: string): OwctlError {
  if (result.spawnError !== undefined) {
    return new OwctlError('msb.not_found', `cannot run msb at ${request.file} (${result.spawnError})`, {
      hint: 'check the path given by --msb, OWCTL_MSB or MSB_PATH, or reinstall owctl; `owctl doctor` shows where msb is looked for',
      details: { subcommand, path: request.file, code: result.spawnError },
    });
  }
  return msbError({
    subcommand,
    exitCode: result.exitCode,
    stderr: result.stderr,
    timedOut: result.timedOut,
    timeoutMs: request.timeoutMs,
  });
}
