/**
 * Spawning msb: the only place in owctl that starts a process. No shell, an explicit environment (never the whole
 * parent env), a timeout, stdin closed, and `reject: false` so every failure goes through one mapping (errors.ts).
 * The Spawner interface exists so tests can record argv (to prove no secret is on it) or substitute a simulator.
 */
import type { Readable } from 'node:stream';
import { execa } from 'execa';
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

export const execaSpawner: Spawner = {
  async run(request) {
    return toResult(await execa(request.file, request.args, options(request)));
  },
  stream(request) {
    const child = execa(request.file, request.args, { ...options(request), buffer: { stdout: false, stderr: true } });
    return {
      stdout: child.stdout,
      done: child.then(toResult),
      stop: () => {
        child.kill();
      },
    };
  },
};

function options(request: SpawnRequest) {
  return {
    env: request.env,
    extendEnv: false,
    reject: false,
    timeout: request.timeoutMs,
    stdin: 'ignore',
    shell: false,
    stripFinalNewline: false,
  } as const;
}

interface ExecaLike {
  exitCode?: number | undefined;
  stdout?: unknown;
  stderr?: unknown;
  timedOut?: boolean;
  failed?: boolean;
  code?: unknown;
}

function toResult(result: ExecaLike): SpawnResult {
  const out: SpawnResult = {
    exitCode: result.exitCode,
    stdout: typeof result.stdout === 'string' ? result.stdout : '',
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
