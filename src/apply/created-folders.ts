/**
 * Which host folders owctl itself created for a sandbox (a bind source that did not exist when the sandbox was
 * created), so `destroy --purge` deletes only those: never a folder the user made, another sandbox made or the project
 * holds. The record is owctl's own, kept beside the project's lock inside the msb state it belongs to
 * (`<MSB_HOME>/owctl/folders/<project>.json`, MSB_HOME resolved): it outlives a replacement and a plain `destroy`
 * (whose folders stay), so a later purge still knows them. Each entry carries the folder's device, inode and birth
 * time: a folder someone removed and made again at the same path is not the one owctl created. The inode alone does
 * not tell them apart (ext4 hands a freed inode number out again at once); the birth time does, where the filesystem
 * records one (statx: ext4, xfs, btrfs, tmpfs). Paths only, never a secret.
 * Writers hold the project lock (apply, destroy); writes within one process are chained, and each is atomic.
 */
import { lstat, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { canonical, effectiveMsbHome } from './lock.ts';

export interface CreatedFolder {
  /** The bind source as owctl passed it to the engine (absolute). */
  path: string;
  sandbox: string;
  dev: number;
  ino: number;
  /** Birth time in nanoseconds, where the filesystem records one (absent in records written before it was kept). */
  birth?: string;
}

type Identity = Pick<CreatedFolder, 'dev' | 'ino' | 'birth'>;

async function identity(path: string): Promise<Identity | null> {
  try {
    const stats = await lstat(path, { bigint: true });
    if (!stats.isDirectory()) return null;
    // A filesystem without birth times reports 0: the device and inode are then all there is.
    return { dev: Number(stats.dev), ino: Number(stats.ino), ...(stats.birthtimeNs > 0n ? { birth: String(stats.birthtimeNs) } : {}) };
  } catch {
    return null;
  }
}

/** The entries for folders just created for `sandbox` (those that exist as folders). */
export async function createdEntries(sandbox: string, paths: readonly string[]): Promise<CreatedFolder[]> {
  const entries: CreatedFolder[] = [];
  for (const path of paths) {
    const id = await identity(path);
    if (id !== null) entries.push({ path, sandbox, ...id });
  }
  return entries;
}

/** Whether the folder at `entry.path` is still the very folder owctl created. */
export async function stillCreatedFolder(entry: CreatedFolder): Promise<boolean> {
  const now = await identity(entry.path);
  return now !== null && now.dev === entry.dev && now.ino === entry.ino && (entry.birth === undefined || now.birth === entry.birth);
}

export class FolderRecord {
  private chain: Promise<unknown> = Promise.resolve();

  constructor(readonly file: string) {}

  static forProject(project: string, env: NodeJS.ProcessEnv): FolderRecord {
    return new FolderRecord(join(canonical(effectiveMsbHome(env)), 'owctl', 'folders', `${project}.json`));
  }

  async read(): Promise<CreatedFolder[]> {
    try {
      const parsed = JSON.parse(await readFile(this.file, 'utf8')) as { folders?: unknown };
      return Array.isArray(parsed.folders) ? parsed.folders.filter(isEntry) : [];
    } catch {
      return [];
    }
  }

  /** Records that owctl created these folders for `sandbox` (replacing any older entry for the same path). */
  record(sandbox: string, paths: readonly string[]): Promise<void> {
    if (paths.length === 0) return Promise.resolve();
    return this.update(async (entries) => {
      const fresh = await createdEntries(sandbox, paths);
      const replaced = new Set(fresh.map((f) => f.path));
      return [...entries.filter((e) => !replaced.has(e.path)), ...fresh];
    });
  }

  /** Drops the entries of folders that are gone (purged). */
  forget(paths: readonly string[]): Promise<void> {
    if (paths.length === 0) return Promise.resolve();
    const gone = new Set(paths);
    return this.update(async (entries) => entries.filter((e) => !gone.has(e.path)));
  }

  private update(change: (entries: CreatedFolder[]) => Promise<CreatedFolder[]>): Promise<void> {
    const next = this.chain.then(async () => {
      const entries = (await change(await this.read())).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
      await mkdir(dirname(this.file), { recursive: true, mode: 0o700 });
      const temporary = `${this.file}.${process.pid}.tmp`;
      await writeFile(temporary, `${JSON.stringify({ format_version: '1.0', folders: entries }, null, 2)}\n`, { mode: 0o600 });
      await rename(temporary, this.file);
    });
    this.chain = next.catch(() => undefined);
    return next;
  }
}

function isEntry(value: unknown): value is CreatedFolder {
  const e = value as Partial<CreatedFolder> | null;
  return typeof e?.path === 'string' && typeof e.sandbox === 'string' && typeof e.dev === 'number' && typeof e.ino === 'number' && (e.birth === undefined || typeof e.birth === 'string');
}
