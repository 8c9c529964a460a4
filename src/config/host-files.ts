/**
 * Host files the file names, checked where they are: an image archive must be a regular file (msb load reads it
 * to its end: a device such as /dev/zero never ends, a FIFO may never answer, a folder is no archive). One that
 * does not exist yet is left to apply, which needs it only when the image is not cached.
 */
import { statSync } from 'node:fs';
import type { DesiredSandbox } from '../model/desired.ts';
import type { Issue, Segment } from './issue.ts';

export function checkArchive(sandbox: DesiredSandbox, at: (...rest: Segment[]) => Segment[]): Issue[] {
  const { archive } = sandbox.image;
  if (archive === undefined || archive.includes('\0')) return [];
  let info;
  try {
    info = statSync(archive, { throwIfNoEntry: false });
  } catch {
    return [];
  }
  if (info === undefined || info.isFile()) return [];
  const kind = info.isDirectory() ? 'a folder' : info.isFIFO() ? 'a named pipe' : info.isSocket() ? 'a socket' : 'a device';
  return [{ path: at('image', 'archive'), message: `${archive} is ${kind}, not a regular file`, hint: 'give the .tar file that `docker save` (or an OCI layout export) wrote' }];
}
