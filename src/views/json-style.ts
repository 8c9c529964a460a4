/**
 * One style for every JSON document owctl prints: snake_case keys and a `format_version` first; failures are the
 * error document (schemas/error.schema.json). Each document has a schema in schemas/, checked against real output.
 */
export const JSON_FORMAT_VERSION = '1.0';

const snake = (key: string) => key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);

/** Object keys (recursively) from camelCase to snake_case; values untouched. For owctl's own fields, not user maps. */
export function snakeKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(snakeKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [snake(key), snakeKeys(inner)]));
}

/** `{ format_version, ...body }` in snake_case, pretty-printed, newline-terminated. */
export function jsonDocument(body: Record<string, unknown>): string {
  return `${JSON.stringify({ format_version: JSON_FORMAT_VERSION, ...(snakeKeys(body) as Record<string, unknown>) }, null, 2)}\n`;
}
