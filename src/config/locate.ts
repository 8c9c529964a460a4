/** Key paths → positions in the YAML source, for messages. Paths that do not exist point at their nearest parent key. */
import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import type { Segment } from './issue.ts';

export interface Position {
  line: number;
  col: number;
}

interface Found {
  exact: boolean;
  /** Key node of the deepest pair reached (the item itself inside lists). */
  key?: Node;
  value?: Node | null;
}

export class Locator {
  constructor(
    private readonly doc: Document,
    private readonly lineCounter: LineCounter,
  ) {}

  has(path: readonly Segment[]): boolean {
    return this.find(path).exact;
  }

  /** Position of the key (`on: 'key'`) or the value at `path`, or of the nearest existing parent key. */
  position(path: readonly Segment[], on: 'key' | 'value' = 'value'): Position {
    const found = this.find(path);
    const node = found.exact && on === 'value' && hasRange(found.value) ? found.value : found.key;
    return node?.range ? this.at(node.range[0]) : { line: 1, col: 1 };
  }

  /** The keys of the mapping at `path` with the source offset of each, in source order; [] when it is no mapping. */
  keys(path: readonly Segment[]): Array<{ key: string; offset: number }> {
    const found = this.find(path);
    const node = found.exact ? found.value : undefined;
    if (!isMap(node)) return [];
    return node.items
      .filter((pair) => isScalar(pair.key) && (pair.key as Node).range)
      .map((pair) => ({ key: String((pair.key as Node & { value: unknown }).value), offset: (pair.key as Node).range![0] }));
  }

  lineOf(offset: number): number {
    return this.lineCounter.linePos(offset).line;
  }

  private find(path: readonly Segment[]): Found {
    let node: Node | null | undefined = this.doc.contents;
    let key: Node | undefined;
    for (const segment of path) {
      if (isAlias(node)) node = node.resolve(this.doc) ?? null;
      if (isMap(node)) {
        const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
        if (!pair) return { exact: false, key };
        key = pair.key as Node;
        node = pair.value as Node | null;
      } else if (isSeq(node) && typeof segment === 'number' && segment < node.items.length) {
        node = node.items[segment] as Node | null;
        key = node ?? key;
      } else {
        return { exact: false, key };
      }
    }
    return { exact: true, key, value: node };
  }

  private at(offset: number): Position {
    const { line, col } = this.lineCounter.linePos(offset);
    return { line, col };
  }
}

function hasRange(node: Node | null | undefined): node is Node {
  return Boolean(node?.range) && !(isScalar(node) && node.value === null && node.range![0] === node.range![1]);
}
