/**
 * Golden diagnostics: every folder under test/fixtures/config/bad holds an openwork.yaml that must fail, and an
 * expected.txt with exactly what `owctl validate` prints for it. UPDATE_GOLDEN=1 rewrites the expectations.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config/load.ts';
import { formatDiagnostics } from '../../src/views/diagnostics.ts';
import { TEST_ENV } from './helpers.ts';

const BAD = fileURLToPath(new URL('../fixtures/config/bad/', import.meta.url));
const update = process.env.UPDATE_GOLDEN === '1';

const cases = readdirSync(BAD, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

test('the bad-file corpus has at least 15 cases', () => {
  assert.ok(cases.length >= 15, `only ${cases.length} cases`);
});

test('every problem in the corpus comes with a hint', async () => {
  const missing: string[] = [];
  for (const name of cases) {
    const dir = path.join(BAD, name);
    const { diagnostics } = await loadConfig(path.join(dir, 'openwork.yaml'), TEST_ENV);
    for (const d of diagnostics) if (!d.hint) missing.push(`${name}: ${d.line}:${d.col} ${d.path}: ${d.message}`);
  }
  assert.deepEqual(missing, []);
});

for (const name of cases) {
  test(`bad file: ${name}`, async () => {
    const dir = path.join(BAD, name);
    const result = await loadConfig(path.join(dir, 'openwork.yaml'), TEST_ENV);
    assert.equal(result.desired, undefined, 'an invalid file yields no desired state');
    assert.ok(result.diagnostics.length > 0, 'an invalid file yields diagnostics');
    const actual = formatDiagnostics(result.diagnostics, { color: false, cwd: dir });
    for (const secret of result.secrets) assert.ok(!actual.includes(secret), `output shows a secret: ${actual}`);
    const expectedFile = path.join(dir, 'expected.txt');
    if (update || !existsSync(expectedFile)) writeFileSync(expectedFile, actual);
    assert.equal(actual, readFileSync(expectedFile, 'utf8'));
  });
}
