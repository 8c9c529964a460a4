/**
 * A throw-away microsandbox state directory for tests against the real msb binary, and quick ways to fill it.
 *
 *   const home = await makeMsbHome();              // never the user's ~/.microsandbox
 *   try {
 *     await populateSandbox(home, 'web', { labels: { 'owctl.dev/project': 'demo' }, memoryMib: 512 });
 *     const { stdout } = await home.msb(['ls', '--format', 'json']);
 *   } finally {
 *     await home.cleanup();
 *   }
 *
 * Speed: this project's machines cannot boot VMs, and `msb create` records a sandbox and then boots it. A boot that
 * fails late costs 10–30 s (more with more memory); a create whose rootfs or bind-mount host path contains `..` fails
 * at once (~20–150 ms) and still stores the full config, status Stopped. `populateSandbox` uses that.
 */
import { execFile } from 'node:child_process';
import { appendFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { bundledMsb } from '../../src/msb/locate.ts';

const run = promisify(execFile);

/** msb 0.7.2, installed for tests only (devDependency `msb-0.7`, an npm alias of the same platform package). */
export const MSB_07_BIN = join(import.meta.dirname, '..', '..', 'node_modules', 'msb-0.7', 'bin', 'msb');

/**
 * The msb version the real-msb suites run against: the bundled 0.6.18 by default, 0.7.2 with OWCTL_TEST_MSB=0.7.2
 * (`npm test` runs those suites once with each). Tests assert each version's known differences on this value.
 */
export const MSB_VERSION: '0.6.18' | '0.7.2' = process.env.OWCTL_TEST_MSB === '0.7.2' ? '0.7.2' : '0.6.18';
export const IS_MSB_07 = MSB_VERSION === '0.7.2';

/** Where a failed boot leaves a sandbox: Stopped in 0.6.18; Stopped or Crashed, at random, in 0.7.2. */
export const FAILED_BOOT_STATUSES: readonly string[] = IS_MSB_07 ? ['Stopped', 'Crashed'] : ['Stopped'];

/** The real msb binary of MSB_VERSION. */
export const MSB_BIN: string = IS_MSB_07 ? MSB_07_BIN : (bundledMsb() ?? 'node_modules/@superradcompany/microsandbox-linux-x64-gnu/bin/msb');

/** Guest target of the bind mount `populateSandbox` adds to OCI sandboxes to make their boot fail at once. */
export const FAST_FAIL_TARGET = '/.owctl-fast-fail';

export interface MsbRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface MsbHome {
  /** Temporary folder holding everything below (removed by cleanup). */
  root: string;
  /** The MSB_HOME. */
  home: string;
  /** An existing folder for bind rootfs / bind mounts. */
  rootfs: string;
  /** Path to the same folder through `..` (`<root>/rootfs/../rootfs`): msb stores it, then fails to use it at once. */
  fastFailPath: string;
  /** process.env with MSB_HOME set and colour off: pass to `new Msb(MSB_BIN, home.env)`. */
  env: NodeJS.ProcessEnv;
  /** Runs the real msb in this home; never throws on a non-zero exit. */
  msb(args: string[]): Promise<MsbRun>;
  cleanup(): Promise<void>;
}

export async function makeMsbHome(): Promise<MsbHome> {
  const root = await mkdtemp(join(tmpdir(), 'owctl-msb-'));
  const home = join(root, 'home');
  const rootfs = join(root, 'rootfs');
  await mkdir(rootfs, { recursive: true });
  const env: NodeJS.ProcessEnv = { ...process.env, MSB_HOME: home, NO_COLOR: '1' };
  for (const key of ['OWCTL_MSB', 'MSB_PATH', 'MSB_BACKEND', 'MSB_PROFILE']) delete env[key];
  return {
    root,
    home,
    rootfs,
    // Built by hand: path.join would normalise the `..` away.
    fastFailPath: `${rootfs}/../rootfs`,
    env,
    msb: (args) => runMsb(args, env),
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}

export async function runMsb(args: string[], env: NodeJS.ProcessEnv): Promise<MsbRun> {
  try {
    const { stdout, stderr } = await run(MSB_BIN, args, { env, maxBuffer: 64 * 1024 * 1024 });
    return { exitCode: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof failure.code !== 'number') throw error;
    return { exitCode: failure.code, stdout: failure.stdout ?? '', stderr: failure.stderr ?? '' };
  }
}

export interface PopulateOptions {
  /** OCI ref already in the cache (see oci-image.ts); default: a bind rootfs (no image needed). */
  image?: string;
  labels?: Record<string, string>;
  env?: Record<string, string>;
  cpus?: number;
  memoryMib?: number;
  /** `-p` specs: `HOST:GUEST`, `BIND:HOST:GUEST`, `…/udp`. */
  ports?: string[];
  /** `-v` specs: `/host:/guest[:ro]`, `volname:/guest`. Named volumes must exist (`msb volume create`). */
  mounts?: string[];
  /** `--tmpfs` specs: `/guest` or `/guest:SIZE`. */
  tmpfs?: string[];
  idleTimeout?: string;
  maxDuration?: string;
}

/**
 * Records sandbox `name` in ~20–150 ms, status Stopped, with the given config (the boot fails at once on purpose).
 * A bind-rootfs sandbox stores `home.fastFailPath` as its image; an OCI one gets an extra bind mount at
 * FAST_FAIL_TARGET. Uses flags (argv), so never pass real secrets in `env`.
 */
export async function populateSandbox(home: MsbHome, name: string, options: PopulateOptions = {}): Promise<void> {
  const args = ['create', '--quiet', '--name', name];
  for (const [key, value] of Object.entries(options.labels ?? {})) args.push(`--label=${key}=${value}`);
  for (const [key, value] of Object.entries(options.env ?? {})) args.push(`--env=${key}=${value}`);
  if (options.cpus !== undefined) args.push('--cpus', String(options.cpus));
  if (options.memoryMib !== undefined) args.push('--memory', `${options.memoryMib}M`);
  for (const port of options.ports ?? []) args.push('--port', port);
  for (const mount of options.mounts ?? []) args.push('--volume', mount);
  for (const tmpfs of options.tmpfs ?? []) args.push('--tmpfs', tmpfs);
  if (options.idleTimeout !== undefined) args.push('--idle-timeout', options.idleTimeout);
  if (options.maxDuration !== undefined) args.push('--max-duration', options.maxDuration);
  if (options.image === undefined) args.push(home.fastFailPath);
  else args.push('--pull', 'never', '--volume', `${home.fastFailPath}:${FAST_FAIL_TARGET}`, options.image);
  let result = await home.msb(args);
  // msb 0.7 can lose the record of a create run beside others, saying `FOREIGN KEY constraint failed`, a database
  // error, or (under load) only `failed to start`: while inspect finds no record, create it again, as owctl's driver
  // does. Its folder stays behind, so the create is repeated with --replace (as the driver does).
  const recorded = async () => (await home.msb(['inspect', name, '--format', 'json'])).exitCode === 0;
  for (let attempt = 1; attempt < 4 && !(await recorded()); attempt += 1) result = await home.msb(['create', '--replace', ...args.slice(1)]);
  if (!(await recorded())) {
    throw new Error(`populateSandbox(${name}): msb did not record it (exit ${result.exitCode}): ${result.stderr.trim()}`);
  }
}

/**
 * Sets a sandbox's recorded status directly in msb's SQLite state (needs the `sqlite3` CLI), to test behaviour that
 * needs a Running sandbox on a host that cannot boot one. msb believes it: `rm` then says `sandbox still running`.
 * Returns false when sqlite3 is not installed (skip the test then).
 */
export async function setRecordedStatus(home: MsbHome, name: string, status: string): Promise<boolean> {
  const quote = (text: string) => `'${text.replaceAll("'", "''")}'`;
  try {
    await run('sqlite3', [join(home.home, 'db', 'msb.db'), `UPDATE sandbox SET status = ${quote(status)} WHERE name = ${quote(name)}`]);
    return true;
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return false;
    throw error;
  }
}

/** Whether the `sqlite3` CLI is available (for setRecordedStatus). */
export async function hasSqlite(): Promise<boolean> {
  try {
    await run('sqlite3', ['-version']);
    return true;
  } catch {
    return false;
  }
}

/**
 * Appends a line to sandbox `name`'s runtime log the way msb's runtime writes it (tracing's format, as observed in
 * 0.6.18: `2026-12-01T21:22:44.205756Z  INFO microsandbox_runtime::vm: sandbox starting sandbox=x`), to show what
 * `msb logs --source system` serves after a drain this host cannot produce (it cannot boot a VM).
 */
export async function appendRuntimeLog(home: MsbHome, name: string, message: string, at = new Date()): Promise<void> {
  const stamp = `${at.toISOString().slice(0, 23)}000Z`;
  await appendFile(join(home.home, 'sandboxes', name, 'logs', 'runtime.log'), `${stamp}  INFO microsandbox_runtime::vm: ${message}\n`);
}

let hostBoots: Promise<boolean> | undefined;

/**
 * The exit code `owctl plan` has for a plan that boots a sandbox: 1 on a host msb says cannot boot (its preflight
 * error), otherwise `changes` (0, or 2 with --detailed-exitcode). Asked of msb doctor once per test process.
 */
export async function planBootCode(changes: 0 | 2): Promise<number> {
  hostBoots ??= runMsb(['doctor'], { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' }).then((r) => r.exitCode === 0);
  return (await hostBoots) ? changes : 1;
}
