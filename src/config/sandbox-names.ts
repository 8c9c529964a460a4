/**
 * The sandbox names a file declares, for shell completion: only the YAML is parsed (js-yaml, the fast reader) —
 * no variables, no schema, no msb — so a Tab press costs a start-up and a parse. Any problem yields no names.
 */
import { readFile } from 'node:fs/promises';
import { load } from 'js-yaml';

export async function declaredNames(file: string): Promise<string[]> {
  try {
    const doc = load(await readFile(file, 'utf8')) as { sandboxes?: unknown } | null;
    const sandboxes = doc?.sandboxes;
    if (typeof sandboxes !== 'object' || sandboxes === null || Array.isArray(sandboxes)) return [];
    return Object.keys(sandboxes).sort();
  } catch {
    return [];
  }
}
