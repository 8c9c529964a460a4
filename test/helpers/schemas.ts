/** The published JSON Schemas (schemas/*.json), compiled the way users' tools would: Ajv, draft 2020-12, strict. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { AnySchemaObject, ValidateFunction } from 'ajv/dist/2020.js';

const ROOT = join(import.meta.dirname, '..', '..');

export function compileSchema(file: string): ValidateFunction {
  const require = createRequire(import.meta.url);
  const { Ajv2020 } = require('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
  ajv.addFormat('date-time', (value: string) => !Number.isNaN(Date.parse(value)));
  return ajv.compile(JSON.parse(readFileSync(join(ROOT, 'schemas', file), 'utf8')) as AnySchemaObject);
}
