/**
 * Running the same msb command against the real binary and the simulator, each in its own temporary MSB_HOME but
 * the same working folder (so host paths in configs are identical), and comparing what they print.
 *
 *   const pair = await makePair();                 // real + simulator, MSB_SIM_NO_VIRT=1 on the simulator side
 *   const { real, sim } = await pair.both(['inspect', 'web', '--format', 'json']);
 *   assert.deepEqual(normaliseJson(sim.stdout, pair), normaliseJson(real.stdout, pair));
 *
 * Volatile values are normalised: timestamps, the two MSB_HOME paths, and the hash in msb's mount tags.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundledMsb } from '../../src/msb/locate.ts';

export const REAL_MSB: string = bundledMsb() ?? 'node_modules/@superradcompany/microsandbox-linux-x64-gnu/bin/msb';
export const SIM_MSB: string = fileURLToPath(new URL('../sim/msb', import.meta.url));
export const ECHO_WORKLOAD: string = fileURLToPath(new URL('../sim/echo-workload.mjs', import.meta.url));

export interface MsbRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface Side {
  kind: 'real' | 'sim';
  home: string;
  env: NodeJS.ProcessEnv;
  run(args: string[], extraEnv?: Record<string, string>): Promise<MsbRun>;
}

export interface Pair {
  /** Shared working folder: images, conf files, bind-mount sources. */
  work: string;
  real: Side;
  sim: Side;
  both(args: string[], extraEnv?: Record<string, string>): Promise<{ real: MsbRun; sim: MsbRun }>;
  cleanup(): Promise<void>;
}

export async function makePair(simEnv: Record<string, string> = { MSB_SIM_NO_VIRT: '1' }, realMsb: string = REAL_MSB): Promise<Pair> {
  const root = await mkdtemp(join(tmpdir(), 'owctl-contract-'));
  const work = join(root, 'work');
  await mkdir(work, { recursive: true });
  const real = makeSide('real', realMsb, join(root, 'real-home'), work, {});
  const sim = makeSide('sim', SIM_MSB, join(root, 'sim-home'), work, simEnv);
  return {
    work,
    real,
    sim,
    both: async (args, extraEnv) => {
      const [r, s] = await Promise.all([real.run(args, extraEnv), sim.run(args, extraEnv)]);
      return { real: r, sim: s };
    },
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}

/** A side on its own: the simulator with any env (no MSB_SIM_NO_VIRT unless given). */
export async function makeSim(simEnv: Record<string, string> = {}): Promise<Side & { work: string; cleanup(): Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'owctl-sim-'));
  const work = join(root, 'work');
  await mkdir(work, { recursive: true });
  const side = makeSide('sim', SIM_MSB, join(root, 'home'), work, simEnv);
  const cleanup = async () => {
    await killWorkloads(side.home);
    await rm(root, { recursive: true, force: true });
  };
  return { ...side, work, cleanup };
}

/** Kills every workload the simulator recorded in `home` (so a failed test leaves no process behind). */
async function killWorkloads(home: string): Promise<void> {
  let state: { sandboxes?: Record<string, { processes?: number[] }> };
  try {
    state = JSON.parse(await readFile(join(home, 'sim-state.json'), 'utf8'));
  } catch {
    return;
  }
  for (const sandbox of Object.values(state.sandboxes ?? {})) {
    for (const pgid of sandbox.processes ?? []) {
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}

function makeSide(kind: 'real' | 'sim', file: string, home: string, cwd: string, extra: Record<string, string>): Side {
  const env: NodeJS.ProcessEnv = { ...process.env, MSB_HOME: home, NO_COLOR: '1', ...extra };
  for (const key of ['MSB_BACKEND', 'MSB_PROFILE', 'MSB_API_KEY', 'MSB_SIM_WORKLOAD', 'MSB_SIM_BOOT_FAIL', 'MSB_SIM_BOOT_DELAY_MS']) {
    if (!(key in extra)) delete env[key];
  }
  if (!('MSB_SIM_NO_VIRT' in extra)) delete env.MSB_SIM_NO_VIRT;
  return {
    kind,
    home,
    env,
    run: (args, extraEnv = {}) =>
      new Promise((resolve, reject) => {
        const started = Date.now();
        execFile(file, args, { env: { ...env, ...extraEnv }, cwd, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
          const code = (error as { code?: unknown } | null)?.code;
          if (error && typeof code !== 'number') {
            reject(error);
            return;
          }
          resolve({ exitCode: typeof code === 'number' ? code : 0, stdout, stderr, ms: Date.now() - started });
        });
      }),
  };
}

const TIMESTAMP = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(\+00:00|Z)/g;

/** Text with the volatile parts replaced: timestamps, both MSB_HOMEs, mount-tag hashes. */
export function normaliseText(text: string, pair: Pick<Pair, 'real' | 'sim'>): string {
  return text
    .replace(TIMESTAMP, '<ts>')
    .replaceAll(pair.real.home, '<home>')
    .replaceAll(pair.sim.home, '<home>')
    .replace(/(mount [\w.-]*_)[0-9a-f]{8}:/g, '$1<tag>:');
}

export function normaliseJson(text: string, pair: Pick<Pair, 'real' | 'sim'>): unknown {
  return JSON.parse(normaliseText(text, pair));
}

/** The first `error:` line without its prefix, or null. */
export function errorLine(stderr: string): string | null {
  const line = stderr.split('\n').find((l) => l.startsWith('error: '));
  return line === undefined ? null : line.slice('error: '.length);
}

/** msb's error category: the text before the first `: ` (or `failed to start` for boot failures). */
export function category(stderr: string): string | null {
  const line = errorLine(stderr);
  if (line === null) return null;
  if (/^failed to start "[^"]*"/.test(line)) return 'failed to start';
  const colon = line.indexOf(': ');
  return colon < 0 ? line : line.slice(0, colon);
}

/** `→` hint lines after the first error line. */
export function hints(stderr: string): string[] {
  return stderr
    .split('\n')
    .filter((l) => l.startsWith('  → '))
    .map((l) => l.slice(4));
}

/** Polls `probe` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
