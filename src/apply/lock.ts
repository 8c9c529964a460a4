/**
 * One apply/destroy at a time per project and msb state. The lock is a file inside the state it guards
 * (`<MSB_HOME>/owctl/locks/<project>.lock`, MSB_HOME resolved), so every owctl using that state finds the same
 * file however MSB_HOME is spelt (a trailing `/`, a symlink) and whatever its TMPDIR.
 *
 * Taking it: the holder's facts are written to a private file first, then hard-linked to the lock path — atomic,
 * and it fails if the lock exists — so a lock file is never seen half-written.
 * Taking over a stale lock (its holder, on this host, is gone or its pid now belongs to another process): only the
 * contender that creates the lock's takeover marker (named after that lock's content, exclusively) may remove it;
 * everyone else retries. So two contenders can never both remove a lock and both win.
 * A lock whose holder cannot be judged (an empty file, another host) is never taken over: the error names the
 * file and how to clear it safely.
 */
import { createHash, randomBytes } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { readFileSync, realpathSync } from 'node:fs';
import { homedir, hostname } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { OwctlError } from '../errors.ts';

export interface LockHolder {
  pid: number;
  host: string;
  command: string;
  project: string;
  msb_home: string;
  started_at: string;
  /** When the holder process started (Linux: /proc/PID/stat field 22) and the boot it started in: a reused pid differs. */
  pid_start?: string;
  boot_id?: string;
  nonce?: string;
}

export interface Lock {
  path: string;
  release: () => Promise<void>;
}

export function effectiveMsbHome(env: NodeJS.ProcessEnv): string {
  return env.MSB_HOME !== undefined && env.MSB_HOME !== '' ? env.MSB_HOME : join(homedir(), '.microsandbox');
}

/** The path with symlinks resolved as far as it exists (a fresh MSB_HOME may not exist yet). */
export function canonical(path: string): string {
  const rest: string[] = [];
  let current = resolve(path);
  for (;;) {
    try {
      return join(realpathSync.native(current), ...rest.reverse());
    } catch {
      const parent = dirname(current);
      if (parent === current) return resolve(path);
      rest.push(basename(current));
      current = parent;
    }
  }
}

/** Project names are msb names (A-Z a-z 0-9 . _ -), safe as file names. */
export function lockPath(project: string, msbHome: string): string {
  return join(canonical(msbHome), 'owctl', 'locks', `${project}.lock`);
}

/** Whether a process with this pid exists (EPERM: it does, owned by someone else). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readQuiet(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** Start time of a process in clock ticks since boot (Linux); undefined where /proc cannot tell. */
function processStart(pid: number): string | undefined {
  const stat = readQuiet(`/proc/${pid}/stat`);
  if (stat === undefined) return undefined;
  // The command name (field 2) may hold spaces and parentheses: count fields after its closing parenthesis.
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
}

const BOOT_ID = readQuiet('/proc/sys/kernel/random/boot_id');

/** Is the holder, which took the lock on this host, still that process? */
function holderAlive(holder: LockHolder): boolean {
  if (holder.boot_id !== undefined && BOOT_ID !== undefined && holder.boot_id !== BOOT_ID) return false; // rebooted since
  if (!processAlive(holder.pid)) return false;
  const start = holder.pid_start === undefined ? undefined : processStart(holder.pid);
  return start === undefined || start === holder.pid_start;
}

function parseHolder(text: string): LockHolder | null {
  try {
    const value = JSON.parse(text) as LockHolder;
    return typeof value?.pid === 'number' && Number.isInteger(value.pid) && value.pid > 0 && typeof value.host === 'string' ? value : null;
  } catch {
    return null;
  }
}

/** Creates `path` holding `content`, atomically and only if it does not exist. */
async function createExclusive(path: string, content: string): Promise<boolean> {
  const staging = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(staging, content, { mode: 0o600, flag: 'wx' });
  try {
    await link(staging, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await unlink(staging).catch(() => undefined);
  }
}

/**
 * Removes the stale lock whose content is `seen`, if this contender is the one allowed to: the one that creates
 * the takeover marker for that content. The marker is removed only after the lock is gone, so a late contender
 * that creates a new marker finds the lock changed and leaves it alone. A contender that finds the marker taken
 * waits (briefly: the holder of the marker only reads and unlinks) until the lock changes.
 */
async function takeOver(path: string, seen: string, me: string): Promise<void> {
  const marker = `${path}.takeover-${createHash('sha256').update(seen).digest('hex').slice(0, 16)}`;
  if (await createExclusive(marker, me)) {
    try {
      if ((await readFile(path, 'utf8').catch(() => undefined)) === seen) await unlink(path).catch(() => undefined);
    } finally {
      await unlink(marker).catch(() => undefined);
    }
    return;
  }
  for (let waited = 0; waited < TAKEOVER_WAIT_MS; waited += 20) {
    if ((await readFile(path, 'utf8').catch(() => undefined)) !== seen) return;
    await sleep(20);
  }
  throw new OwctlError('lock.held', `the stale lock ${path} is being taken over by a process that did not finish (marker ${marker})`, {
    hint: `if no owctl is running against this msb state, clear both: rm ${path} ${marker}`,
    details: { lock: path, marker },
  });
}

/** How long a contender waits for another to finish taking over a stale lock (a read and an unlink). */
const TAKEOVER_WAIT_MS = 5_000;

function heldError(project: string, path: string, holder: LockHolder | null, local: boolean): OwctlError {
  const clear = `rm ${path}`;
  if (holder === null) {
    return new OwctlError('lock.held', `project "${project}" is locked: ${path} holds no owner (empty or unreadable)`, {
      hint: `an owctl that crashed while taking it, or an older owctl, left it. If no owctl is running against this msb state, clear it: ${clear}`,
      details: { lock: path, holder },
    });
  }
  const who = `pid ${holder.pid} on ${holder.host} (owctl ${holder.command}, since ${holder.started_at})`;
  if (!local) {
    return new OwctlError('lock.held', `project "${project}" is locked by ${who}; lock file ${path}`, {
      hint: `owctl cannot tell from here whether that process still runs. Check on ${holder.host}; if no owctl runs there against this msb state, clear it: ${clear}`,
      details: { lock: path, holder },
    });
  }
  return new OwctlError('lock.held', `project "${project}" is locked by ${who}; lock file ${path}`, {
    hint: `wait for it to finish, or pass --lock-timeout 5m to wait for the lock (it is cleared when that process ends)`,
    details: { lock: path, holder },
  });
}

/** `signal`: stop waiting (the caller reports the interrupt); a lock taken as it aborts is given back at once. */
export async function acquireLock(options: {
  project: string;
  msbHome: string;
  command: string;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Called once, when the lock is held and owctl starts waiting for it (who holds it, when known). */
  onWait?: (holder: LockHolder | null) => void;
}): Promise<Lock> {
  const path = lockPath(options.project, options.msbHome);
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const holder: LockHolder = {
    pid: process.pid,
    host: hostname(),
    command: options.command,
    project: options.project,
    msb_home: canonical(options.msbHome),
    started_at: new Date().toISOString(),
    pid_start: processStart(process.pid),
    boot_id: BOOT_ID,
    nonce: randomBytes(8).toString('hex'),
  };
  const me = JSON.stringify(holder);
  const deadline = Date.now() + options.timeoutMs;
  let waiting = false;
  for (;;) {
    options.signal?.throwIfAborted();
    if (await createExclusive(path, me)) {
      const lock = { path, release: async () => ((await readFile(path, 'utf8').catch(() => undefined)) === me ? unlink(path).catch(() => undefined) : undefined) };
      if (options.signal?.aborted) await lock.release();
      options.signal?.throwIfAborted();
      return lock;
    }
    const seen = await readFile(path, 'utf8').catch(() => undefined);
    if (seen === undefined) continue; // released in between: try again at once
    const current = parseHolder(seen);
    const local = current !== null && current.host === holder.host;
    if (current !== null && local && !holderAlive(current)) {
      await takeOver(path, seen, me);
      continue;
    }
    if (Date.now() >= deadline) throw heldError(options.project, path, current, local);
    if (!waiting) options.onWait?.(current);
    waiting = true;
    await sleep(Math.min(250, Math.max(10, deadline - Date.now())), undefined, options.signal ? { signal: options.signal } : undefined);
  }
}
