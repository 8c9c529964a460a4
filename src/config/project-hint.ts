/**
 * The file's project name read ahead of loading it, from its top-level `project:` line alone: so the slowest read of
 * live state (the project's sandboxes) can start while the file is checked. Only a hint: undefined for anything but
 * a plain or quoted name, or when the file names another backend; the caller uses what it started only if the
 * loaded file's project is the same.
 */
import { readFile } from 'node:fs/promises';

const PROJECT = /^project:[ \t]*(?:"([A-Za-z0-9._-]+)"|'([A-Za-z0-9._-]+)'|([A-Za-z0-9._-]+))[ \t]*(?:#.*)?$/m;

export async function projectHint(file: string): Promise<string | undefined> {
  const text = await readFile(file, 'utf8').catch(() => '');
  if (/^backend:/m.test(text)) return undefined;
  const match = PROJECT.exec(text);
  return match?.[1] ?? match?.[2] ?? match?.[3];
}
