/**
 * Every value of the default openwork.yaml, replaced in turn by values of every wrong kind: loading must never
 * throw, must place every diagnostic, and must never print a token.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { loadConfig } from '../../src/config/load.ts';
import { TEST_ENV, withFiles } from './helpers.ts';

const SOURCE = fileURLToPath(new URL('../../openwork.yaml', import.meta.url));
const WRONG: unknown[] = [null, -1.5, 70000, '', '${', 'a b', true, [1, 'x'], { bogus: 1 }];

type Path = Array<string | number>;

function paths(value: unknown, at: Path = []): Path[] {
  if (Array.isArray(value)) return [at, ...value.flatMap((item, index) => paths(item, [...at, index]))];
  if (typeof value === 'object' && value !== null) return [at, ...Object.entries(value).flatMap(([key, item]) => paths(item, [...at, key]))];
  return [at];
}

function replaced(data: unknown, at: Path, value: unknown): unknown {
  if (at.length === 0) return value;
  const copy = structuredClone(data) as Record<string | number, unknown>;
  let node = copy;
  for (const segment of at.slice(0, -1)) node = node[segment] as Record<string | number, unknown>;
  node[at[at.length - 1]!] = value;
  return copy;
}

test('no wrong value anywhere makes loading throw', async () => {
  const data = parse(readFileSync(SOURCE, 'utf8')) as unknown;
  const secrets = [TEST_ENV.OPENWORK_TOKEN!, TEST_ENV.OPENWORK_HOST_TOKEN!, TEST_ENV.BOB_OPENWORK_TOKEN!, TEST_ENV.BOB_OPENWORK_HOST_TOKEN!];
  await withFiles({}, async (dir) => {
    const file = path.join(dir, 'openwork.yaml');
    let loads = 0;
    for (const at of paths(data)) {
      for (const value of WRONG) {
        writeFileSync(file, stringify(replaced(data, at, value)));
        const result = await loadConfig(file, TEST_ENV);
        loads++;
        const where = `${at.join('.')} = ${JSON.stringify(value)}`;
        assert.equal(result.desired === undefined, result.diagnostics.length > 0, where);
        for (const diagnostic of result.diagnostics) {
          assert.ok(diagnostic.line >= 1 && diagnostic.col >= 1 && diagnostic.message.length > 0, `${where}: ${JSON.stringify(diagnostic)}`);
          for (const secret of secrets) assert.ok(!JSON.stringify(diagnostic).includes(secret), `${where} leaks a token`);
        }
      }
    }
    assert.ok(loads > 500);
  });
});
