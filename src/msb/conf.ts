/**
 * The `msb create --conf FILE` document for a declared sandbox. Secrets (the tokens, in `env`) go in this file —
 * private, mode 0600, removed right after — and never on argv, which every local user can read.
 *
 * msb 0.6.18 accepts exactly these root keys here (checked against the real binary, see test/msb/conf.test.ts):
 * image {oci}, pull_policy (missing|always|never), cpus (number), memory ("<MiB>M"), idle_timeout / max_duration
 * ("<secs>s"), env {K: V}, labels {K: V}, mounts [{bind|named|tmpfs, target, readonly}], network {ports: [...]}.
 *
 * msb expands `${NAME}` in every string of the file from its own environment, with no escape. A value that contains
 * `${` is therefore written as a reference to a variable that holds it verbatim, passed in msb's environment
 * (private to the user, unlike argv); msb does not expand the result again.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { chmod, lstat, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DesiredSandbox, MountSpec, PortSpec, PullPolicy } from '../model/desired.ts';
import { guestEnv } from '../model/desired.ts';
import { removeOnceGone } from './run.ts';

export interface MsbConf {
  /** The document to write (JSON, which msb reads as YAML). */
  document: Record<string, unknown>;
  /** Extra environment for the msb process: the verbatim values referenced from the document. */
  env: Record<string, string>;
}

const PULL: Record<PullPolicy, string> = { 'if-missing': 'missing', always: 'always', never: 'never' };

/** The conf document for `spec`, with owctl's labels (`ownerLabels`) merged over the user's. */
export function buildConf(spec: DesiredSandbox, ownerLabels: Record<string, string>): MsbConf {
  const document: Record<string, unknown> = {
    image: { oci: spec.image.ref },
    pull_policy: PULL[spec.pull],
    cpus: spec.cpus,
    memory: `${spec.memoryMib}M`,
    env: sorted(guestEnv(spec)),
    labels: sorted({ ...spec.labels, ...ownerLabels }),
  };
  if (spec.idleTimeoutSecs !== undefined) document.idle_timeout = `${spec.idleTimeoutSecs}s`;
  if (spec.maxDurationSecs !== undefined) document.max_duration = `${spec.maxDurationSecs}s`;
  if (spec.mounts.length > 0) document.mounts = spec.mounts.map(confMount);
  // msb keeps `network` sparse unless something is set; an empty port list is simply left out.
  if (spec.ports.length > 0) document.network = { ports: spec.ports.map(portSpec) };
  return escapeInterpolation(document);
}

function confMount(mount: MountSpec): Record<string, unknown> {
  switch (mount.type) {
    case 'bind':
      return { bind: mount.source, target: mount.target, readonly: mount.readonly };
    case 'volume':
      // ensure-exists: a declared volume is created on first use and kept (and reused) afterwards.
      return { named: mount.source, target: mount.target, readonly: mount.readonly, create: 'ensure-exists' };
    case 'tmpfs':
      return { tmpfs: mount.sizeMib === undefined ? {} : { size: `${mount.sizeMib}M` }, target: mount.target };
  }
}

/** `BIND:HOST:GUEST[/udp]`; an IPv6 bind address goes in brackets (msb rejects it bare). */
export function portSpec(port: PortSpec): string {
  const bind = port.bind.includes(':') ? `[${port.bind}]` : port.bind;
  return `${bind}:${port.host}:${port.guest}${port.protocol === 'udp' ? '/udp' : ''}`;
}

function sorted(map: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(map).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function escapeInterpolation(document: Record<string, unknown>): MsbConf {
  const env: Record<string, string> = {};
  const visit = (value: unknown): unknown => {
    if (typeof value === 'string') {
      if (!value.includes('${')) return value;
      const name = `OWCTL_CONF_VALUE_${Object.keys(env).length}`;
      env[name] = value;
      return `\${${name}}`;
    }
    if (Array.isArray(value)) return value.map(visit);
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, visit(inner)]));
    }
    return value;
  };
  return { document: visit(document) as Record<string, unknown>, env };
}

/** Folder name prefix of conf files: `owctl-conf-<pid>-<random>`, so a later run can tell whose they are. */
const CONF_PREFIX = 'owctl-conf-';
const STRAY = /^owctl-conf-(\d+)-/;
/** In a conf folder left for calls still running when owctl exited: their pids, one per line. */
const READERS = 'readers';
/**
 * Conf folders of this process still on disk, with the msb calls given them: removed synchronously if the process
 * exits (a second Ctrl-C), or, while such a call still runs, by a detached waiter once it has ended.
 */
const live = new Map<string, Set<number>>();

function removeLiveOnExit(): void {
  for (const [dir, readers] of live) {
    const running = [...readers].filter(alive);
    if (running.length === 0) {
      rmSync(dir, { recursive: true, force: true });
      continue;
    }
    // msb may not have read the file yet: it goes once those calls have ended (and a later run's sweep knows why
    // it is still there, should the waiter itself be killed).
    try {
      writeFileSync(join(dir, READERS), `${running.join('\n')}\n`, { mode: 0o600 });
      removeOnceGone(dir, running);
    } catch {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

/**
 * Writes `conf` to a private file (a fresh 0700 folder, the file 0600), runs `body` with its path, and removes both
 * whatever happens: on any exit of the process too. `readBy(pid)` tells it which process was given the file: if
 * owctl exits while that process runs, the file stays until it has ended. A kill nothing survives (SIGKILL, or
 * SIGHUP/SIGQUIT, which end Node without running exit handlers) strands the folder: every later run removes such
 * strays (sweepStrayConfs).
 */
export async function withConfFile<T>(conf: MsbConf, body: (path: string, readBy: (pid: number) => void) => Promise<T>): Promise<T> {
  await sweepStrayConfs();
  const dir = await mkdtemp(join(await privateRoot(), `${CONF_PREFIX}${process.pid}-`));
  if (live.size === 0) process.once('exit', removeLiveOnExit);
  const readers = new Set<number>();
  live.set(dir, readers);
  try {
    const path = join(dir, 'sandbox.json');
    await writeFile(path, `${JSON.stringify(conf.document, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    return await body(path, (pid) => readers.add(pid));
  } finally {
    await rm(dir, { recursive: true, force: true });
    live.delete(dir);
    if (live.size === 0) process.off('exit', removeLiveOnExit);
  }
}

/**
 * The one place per user that holds conf folders, whatever TMPDIR a run has: `/tmp/owctl-<uid>`, so that every run
 * finds (and sweeps) what a killed run left, like tmux's and ssh-agent's folders. Where there is no user id, TMPDIR.
 */
export function confRoot(): string {
  const uid = process.getuid?.();
  return uid === undefined ? tmpdir() : join('/tmp', `owctl-${uid}`);
}

/**
 * confRoot(), made if missing and checked when it exists: a folder (not a link) of this user's, private (made so if
 * it is this user's). /tmp is shared: a place someone else made, or a link, is not used; TMPDIR is used instead.
 */
async function privateRoot(): Promise<string> {
  const root = confRoot();
  if (root === tmpdir()) return root;
  await mkdir(root, { mode: 0o700 }).catch(() => undefined);
  const info = await lstat(root).catch(() => undefined);
  if (info === undefined || !info.isDirectory() || info.uid !== process.getuid?.()) return tmpdir();
  if ((info.mode & 0o077) !== 0) await chmod(root, 0o700);
  return root;
}

/**
 * Removes conf folders this user's earlier owctl runs left behind when they were killed, from the per-user place and
 * from this run's TMPDIR (where owctl kept them before, and where it falls back to). Returns how many.
 */
export async function sweepStrayConfs(root?: string): Promise<number> {
  if (root !== undefined) return sweepRoot(root);
  const roots = [...new Set([confRoot(), tmpdir()])];
  let removed = 0;
  for (const each of roots) removed += await sweepRoot(each);
  return removed;
}

async function sweepRoot(root: string): Promise<number> {
  let names: string[];
  try {
    names = await readdir(root);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    const pid = Number(STRAY.exec(name)?.[1] ?? NaN);
    if (!Number.isInteger(pid) || pid === process.pid || alive(pid)) continue;
    const dir = join(root, name);
    if (await readersRunning(dir)) continue;
    const info = await lstat(dir).catch(() => undefined);
    if (info === undefined || !info.isDirectory() || info.uid !== process.getuid?.()) continue;
    await rm(dir, { recursive: true, force: true });
    removed += 1;
  }
  return removed;
}

/** Whether an msb call left running by the owctl that made `dir` is still running. */
async function readersRunning(dir: string): Promise<boolean> {
  const text = await readFile(join(dir, READERS), 'utf8').catch(() => '');
  return text.split('\n').map(Number).some((pid) => Number.isInteger(pid) && pid > 0 && alive(pid));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
