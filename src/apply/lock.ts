/**
 * One apply/destroy at a time per project and MSB_HOME. The lock is a file created exclusively (O_EXCL) holding
 * who took it; a lock whose process is gone (same host) is taken over. Waits up to `timeoutMs`, then says who
 * holds it.
 */
import { createHash } from 'node:crypto';
import { mkdir, open, readFile, unlink } from 'node:fs/promises';
import { hostname, homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { OwctlError } from '../errors.ts';

export interface LockHolder {
  pid: number;
  host: string;
  command: string;
  project: string;
  msb_home: string;
  started_at: string;
}

export interface Lock {
  path: string;
  release: () => Promise<void>;
}

export function effectiveMsbHome(env: NodeJS.ProcessEnv): string {
  return env.MSB_HOME !== undefined && env.MSB_HOME !== '' ? env.MSB_HOME : join(homedir(), '.microsandbox');
}

export function lockPath(project: string, msbHome: string, dir = join(tmpdir(), 'owctl-locks')): string {
  const key = createHash('sha256').update(`${msbHome}\0${project}`).digest('hex').slice(0, 24);
  return join(dir, `${key}.lock`);
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

async function readHolder(path: string): Promise<LockHolder | null> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as LockHolder;
  } catch {
    return null;
  }
}

async function tryCreate(path: string, holder: LockHolder): Promise<boolean> {
  try {
    const handle = await open(path, 'wx', 0o600);
    await handle.writeFile(JSON.stringify(holder));
    await handle.close();
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

/** `signal`: stop waiting (the caller reports the interrupt); a lock taken as it aborts is given back at once. */
export async function acquireLock(options: { project: string; msbHome: string; command: string; timeoutMs: number; dir?: string; signal?: AbortSignal }): Promise<Lock> {
  const path = lockPath(options.project, options.msbHome, options.dir);
  await mkdir(join(path, '..'), { recursive: true, mode: 0o700 });
  const me: LockHolder = {
    pid: process.pid,
    host: hostname(),
    command: options.command,
    project: options.project,
    msb_home: options.msbHome,
    started_at: new Date().toISOString(),
  };
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    options.signal?.throwIfAborted();
    if (await tryCreate(path, me)) {
      const lock = { path, release: () => unlink(path).catch(() => undefined) };
      if (options.signal?.aborted) await lock.release();
      options.signal?.throwIfAborted();
      return lock;
    }
    const holder = await readHolder(path);
    if (holder !== null && holder.host === me.host && !processAlive(holder.pid)) {
      await unlink(path).catch(() => undefined); // left by a dead process: take it over
      continue;
    }
    if (Date.now() >= deadline) {
      const who = holder ? `pid ${holder.pid} on ${holder.host} (owctl ${holder.command}, since ${holder.started_at})` : 'another owctl process';
      throw new OwctlError('lock.held', `project "${options.project}" is locked by ${who}`, {
        hint: 'wait for it to finish, or pass --lock-timeout 5m to wait for the lock',
        details: { lock: path, holder },
      });
    }
    await sleep(Math.min(250, Math.max(10, deadline - Date.now())), undefined, options.signal ? { signal: options.signal } : undefined);
  }
}
