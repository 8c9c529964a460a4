/** Compiles a schema from schemas/ (JSON Schema 2020-12, strict) and asserts documents against it. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { AnySchemaObject, ValidateFunction } from 'ajv/dist/2020.js';

const SCHEMAS = join(import.meta.dirname, '..', '..', 'schemas');

export function compileSchema(file: string): ValidateFunction {
  const require = createRequire(import.meta.url);
  const { Ajv2020 } = require('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
  ajv.addFormat('date-time', (value: string) => !Number.isNaN(Date.parse(value)));
  return ajv.compile(JSON.parse(readFileSync(join(SCHEMAS, file), 'utf8')) as AnySchemaObject);
}

export function assertValid(validate: ValidateFunction, value: unknown, what: string): void {
  assert.ok(validate(value), `${what}: ${JSON.stringify(validate.errors, null, 2)}\n${JSON.stringify(value)}`);
}

/** Every key of every object in `value`, recursively (for the snake_case rule). */
export function allKeys(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(allKeys);
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, inner]) => [key, ...allKeys(inner)]);
}
