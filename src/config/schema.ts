/**
 * The JSON Schema (schemas/openwork.schema.json) is the single source of truth for the file's structure: ajv
 * validates against it, and messages read allowed keys, descriptions and error texts from it.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Ajv2020 as Ajv, AnySchemaObject, ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';

/** Same relative location from src/config and from dist/config; the package ships schemas/. */
const SCHEMA_URL = new URL('../../schemas/openwork.schema.json', import.meta.url);

export type SchemaNode = AnySchemaObject;

export interface Schema {
  root: SchemaNode;
  /** Validates a whole file. */
  validateFile: ValidateFunction;
  /** Validates one sandbox after defaults are merged under it (adds what must be set somewhere). */
  validateComplete: ValidateFunction;
}

let cached: Schema | undefined;
const require = createRequire(import.meta.url);

/** The ajv instance for the schema; `code` options make it emit standalone code (see compile-validators.ts). */
export function schemaAjv(root: SchemaNode, code?: { source: true }): Ajv {
  const { Ajv2020 } = require('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
  const ajv = new Ajv2020({
    allErrors: true,
    verbose: true,
    strict: true,
    // `complete` adds `required` to keys defined in the referenced `settings`, which strictRequired cannot see.
    strictRequired: false,
    allowUnionTypes: true,
    discriminator: true,
    ...(code ? { code } : {}),
  });
  // Editor annotations (VS Code and yaml-language-server show them); owctl reads them when it words a message.
  ajv.addKeyword({ keyword: 'patternErrorMessage', schemaType: 'string' });
  ajv.addKeyword({ keyword: 'errorMessage', schemaType: 'string' });
  ajv.addSchema(root);
  return ajv;
}

export function readSchema(): SchemaNode {
  return JSON.parse(readFileSync(SCHEMA_URL, 'utf8')) as SchemaNode;
}

/**
 * Validators compiled from the schema at build time (dist/config/validators.cjs, written by `npm run build`), or
 * null when running from source. Compiling at run time costs more than the rest of a plan's own work.
 */
function precompiled(): Pick<Schema, 'validateFile' | 'validateComplete'> | null {
  try {
    // The bundle (scripts/bundle.mjs) puts the build's validators in place of this require; src/config has none:
    // from source they are compiled at run time.
    return require('../config/validators.cjs') as Pick<Schema, 'validateFile' | 'validateComplete'>;
  } catch {
    return null;
  }
}

export function schema(): Schema {
  if (cached) return cached;
  const built = precompiled();
  if (built) {
    // The schema itself is read only when a message needs its words: a valid file never does.
    let root: SchemaNode | undefined;
    return (cached = {
      get root() {
        return (root ??= readSchema());
      },
      ...built,
    });
  }
  const root = readSchema();
  const ajv = schemaAjv(root);
  const id = root.$id as string;
  cached = {
    root,
    validateFile: ajv.getSchema(id)!,
    validateComplete: ajv.getSchema(`${id}#/$defs/complete`)!,
  };
  return cached;
}

export function validate(validator: ValidateFunction, data: unknown): ErrorObject[] {
  return validator(data) ? [] : [...(validator.errors ?? [])];
}

/** Follows local `$ref`s (`#/$defs/name`) until a schema without one. */
export function deref(node: SchemaNode | undefined, root: SchemaNode = schema().root): SchemaNode | undefined {
  let current = node;
  for (let hops = 0; current && typeof current.$ref === 'string' && hops < 16; hops++) {
    const target = (current.$ref as string).replace(/^#\//, '').split('/');
    current = target.reduce<SchemaNode | undefined>((at, key) => (at === undefined ? undefined : (at[key] as SchemaNode | undefined)), root);
  }
  return current;
}

/** The schema that describes the value at `path` (object keys, list items), when the path does not branch. */
export function schemaAt(path: readonly (string | number)[], root: SchemaNode = schema().root): SchemaNode | undefined {
  let node: SchemaNode | undefined = root;
  for (const segment of path) {
    const here = deref(node, root);
    if (here === undefined) return undefined;
    if (typeof segment === 'number') node = here.items as SchemaNode | undefined;
    else if (here.properties && Object.hasOwn(here.properties, segment)) node = here.properties[segment] as SchemaNode;
    else if (typeof here.additionalProperties === 'object') node = here.additionalProperties as SchemaNode;
    else return undefined;
  }
  return node;
}

/** The node's own description, or its `$ref` target's. */
export function describe(node: SchemaNode | undefined): string | undefined {
  return (node?.description as string | undefined) ?? (deref(node)?.description as string | undefined);
}
