/**
 * A problem found while loading, before it is placed in the file. `path` is the key path in the YAML document
 * (`['sandboxes', 'alice', 'mounts', 0, 'target']`); `on` says whether to point at the key or at its value.
 * `at` is set when the position is already known (YAML syntax errors, interpolation, .env lines).
 */
export type Segment = string | number;

export interface Issue {
  path: Segment[];
  message: string;
  hint?: string;
  on?: 'key' | 'value';
  at?: { file: string; line: number; col: number };
  /** An interpolation problem: the variable that is not set. */
  variable?: string;
}

const PLAIN_KEY = /^[A-Za-z0-9_-]+$/;

/** `sandboxes.alice.mounts[0].target`; keys that are not plain words are quoted: `labels["team.name"]`. */
export function formatPath(path: readonly Segment[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (PLAIN_KEY.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/** True when `path` equals `prefix` or lies under it. */
export function isUnder(path: readonly Segment[], prefix: readonly Segment[]): boolean {
  return prefix.length <= path.length && prefix.every((segment, index) => path[index] === segment);
}
