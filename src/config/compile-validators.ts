/**
 * Standalone validator code for the schema (ajv's standalone mode): `npm run build` writes it to
 * dist/config/validators.cjs so the installed CLI never compiles the schema at run time. Same ajv options as
 * schema.ts, so both paths report identical errors (test/config/validators.test.ts checks that).
 */
import { createRequire } from 'node:module';
import { readSchema, schemaAjv } from './schema.ts';

export function validatorSource(): string {
  const require = createRequire(import.meta.url);
  const standalone = (require('ajv/dist/standalone/index.js') as { default: (ajv: unknown, refs: Record<string, string>) => string }).default;
  const root = readSchema();
  const id = root.$id as string;
  return standalone(schemaAjv(root, { source: true }), { validateFile: id, validateComplete: `${id}#/$defs/complete` });
}
