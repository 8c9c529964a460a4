import { isAbsolute, relative } from 'node:path';

/** A path as the user would type it from `cwd`: relative when that is shorter and stays inside. */
export function relativeFile(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}
