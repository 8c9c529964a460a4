/**
 * Which msb generation last migrated an MSB_HOME. msb 0.7 migrates a 0.6 home one way on its first command that
 * opens the database (`ls`, `create`…; not `--version`, `context` or `doctor`), after which msb 0.6.18 fails every
 * command. `owctl doctor` reads this to warn before that happens. Read-only; no sqlite dependency: the migration
 * names msb records are plain text in its database file (or its write-ahead log).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The first migration msb 0.7 adds; a home without it has not met a 0.7 msb. */
export const FIRST_07_MIGRATION = 'm20260829_000001_split_snapshot_identity';

export type HomeGeneration = 'none' | 'pre-0.7' | '0.7';

export async function homeGeneration(msbHome: string): Promise<HomeGeneration> {
  const db = join(msbHome, 'db', 'msb.db');
  const main = await readFile(db).catch(() => null);
  if (main === null) return 'none';
  const wal = await readFile(`${db}-wal`).catch(() => Buffer.alloc(0));
  return main.includes(FIRST_07_MIGRATION) || wal.includes(FIRST_07_MIGRATION) ? '0.7' : 'pre-0.7';
}

/** `0.7.2` → true for 0.7 and later. */
export function migratesHomes(version: string): boolean {
  const [major, minor] = version.split('.').map(Number);
  return major! > 0 || (major === 0 && minor! >= 7);
}
