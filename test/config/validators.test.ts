/** The build-time validators (dist/config/validators.cjs) report exactly what the run-time compiled ones do. */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { validatorSource } from '../../src/config/compile-validators.ts';
import { readSchema, schemaAjv } from '../../src/config/schema.ts';
import { assertBuilt } from '../helpers/built-cli.ts';

const ROOT = join(import.meta.dirname, '..', '..');
// Inside the project, so the generated code can resolve ajv's runtime helpers.
const cacheDir = join(ROOT, 'node_modules', '.cache', 'owctl-test');
mkdirSync(cacheDir, { recursive: true });
const file = join(cacheDir, `validators-${process.pid}.cjs`);
writeFileSync(file, validatorSource());
const built = createRequire(import.meta.url)(file) as Record<'validateFile' | 'validateComplete', (data: unknown) => boolean> & Record<string, { errors?: unknown[] }>;
const root = readSchema();
const runtime = schemaAjv(root).getSchema(root.$id as string)!;

function documents(): Array<[string, unknown]> {
  const bad = join(ROOT, 'test', 'fixtures', 'config', 'bad');
  const docs: Array<[string, unknown]> = [['openwork.yaml', parse(readFileSync(join(ROOT, 'openwork.yaml'), 'utf8'))]];
  for (const name of readdirSync(bad).sort()) {
    try {
      docs.push([name, parse(readFileSync(join(bad, name, 'openwork.yaml'), 'utf8'))]);
    } catch {
      // files that are not YAML never reach the schema
    }
  }
  return docs;
}

const shape = (errors: unknown[] | null | undefined) =>
  (errors ?? []).map((e) => {
    const { instancePath, keyword, params, message, schemaPath } = e as Record<string, unknown>;
    return { instancePath, keyword, params, message, schemaPath };
  });

describe('build-time schema validators', () => {
  it('agree with the run-time validators on the example and every bad file', () => {
    const docs = documents();
    assert.ok(docs.length > 10);
    for (const [name, doc] of docs) {
      const expected = runtime(doc);
      assert.equal(built.validateFile(doc), expected, name);
      assert.deepEqual(shape((built.validateFile as unknown as { errors?: unknown[] }).errors), shape(runtime.errors), name);
    }
  });

  it('are built as one self-contained module: it loads and validates with no node_modules to resolve from', () => {
    // The bundle runs them in place of a require(); a require() of ajv's run-time helpers inside would be resolved
    // in node_modules and compiled without the code cache on every run (BENCHMARKS.md, start-up).
    assertBuilt();
    const dir = mkdtempSync(join(tmpdir(), 'owctl-validators-'));
    try {
      copyFileSync(join(ROOT, 'dist', 'config', 'validators.cjs'), join(dir, 'validators.cjs'));
      const alone = createRequire(join(dir, 'index.cjs'))(join(dir, 'validators.cjs')) as Record<'validateFile', (data: unknown) => boolean>;
      for (const [name, doc] of documents()) assert.equal(alone.validateFile(doc), runtime(doc), name);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
