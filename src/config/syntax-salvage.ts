/**
 * A file with YAML syntax errors still gets its other problems reported where they can be trusted: yaml recovers a
 * document around the errors, and problems are kept only in blocks (top-level keys; single sandboxes and defaults
 * entries) that no error falls in. An error falls in the block whose key comes last before it, and in any block
 * whose key is on an error's line; the defaults, which every sandbox inherits, taint every sandbox.
 */
import type { Issue, Segment } from './issue.ts';
import type { Locator } from './locate.ts';

export function trustworthy(issues: Issue[], locator: Locator, errorOffsets: number[]): Issue[] {
  const errorLines = new Set(errorOffsets.map((offset) => locator.lineOf(offset)));
  const broken = new Set<string>();
  const mark = (parent: Segment[]) => {
    const keys = locator.keys(parent);
    for (const offset of errorOffsets) {
      const before = keys.filter((k) => k.offset <= offset).at(-1);
      if (before) broken.add(JSON.stringify([...parent, before.key]));
    }
    for (const k of keys) if (errorLines.has(locator.lineOf(k.offset))) broken.add(JSON.stringify([...parent, k.key]));
  };
  mark([]);
  mark(['sandboxes']);
  mark(['defaults']);
  const isBroken = (block: Segment[]) => broken.has(JSON.stringify(block)) || !locator.has(block);
  return issues.filter((issue) => {
    if (issue.at !== undefined || issue.path.length === 0) return false;
    const nested = issue.path[0] === 'sandboxes' || issue.path[0] === 'defaults';
    const block = issue.path.slice(0, nested ? 2 : 1);
    if (isBroken(block) || (nested && errorLines.has(lineOfKey(locator, issue.path[0]!)))) return false;
    return !(issue.path[0] === 'sandboxes' && locator.has(['defaults']) && broken.has(JSON.stringify(['defaults'])));
  });
}

function lineOfKey(locator: Locator, key: Segment): number {
  const found = locator.keys([]).find((k) => k.key === key);
  return found === undefined ? -1 : locator.lineOf(found.offset);
}
