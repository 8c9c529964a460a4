/**
 * The file data without the values the schema rejected (a copy; the data itself when nothing was rejected). A problem inside a list item (a mount, a port)
 * removes the whole item, since its other keys mean little alone; items are deleted in place, leaving a hole, so
 * later messages keep the indexes the user sees in the file.
 */
import type { Segment } from './issue.ts';
import { isMapping } from './merge.ts';

export function prune<T>(data: T, paths: readonly Segment[][]): T {
  // A valid file has nothing to remove: its data is used as it is (the checks only read it), not copied.
  if (paths.length === 0) return data;
  const copy = structuredClone(data);
  for (const path of paths) {
    const item = path.findIndex((segment) => typeof segment === 'number');
    const target = item === -1 ? path : path.slice(0, item + 1);
    if (target.length > 0) remove(copy, target);
  }
  return copy;
}

function remove(root: unknown, path: readonly Segment[]): void {
  let node = root;
  for (const segment of path.slice(0, -1)) {
    if (Array.isArray(node) && typeof segment === 'number') node = node[segment];
    else if (isMapping(node) && typeof segment === 'string' && Object.hasOwn(node, segment)) node = node[segment];
    else return;
  }
  const last = path[path.length - 1]!;
  if (Array.isArray(node) && typeof last === 'number') delete node[last];
  else if (isMapping(node) && typeof last === 'string') delete node[last];
}
