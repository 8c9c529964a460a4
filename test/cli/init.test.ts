/** `owctl init` writes fresh tokens for every variable the file's tokens read, however the YAML spells the mapping. */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { tokenVariables } from '../../src/commands/init.ts';
import { runCli } from '../helpers/cli.ts';

describe('owctl init', () => {
  it('finds token variables in block and flow mappings, in defaults and per sandbox, and not elsewhere', () => {
    const text = [
      'version: 1',
      'project: p',
      'defaults:',
      '  tokens:',
      '    client: ${D_CLIENT}',
      'sandboxes:',
      '  a:',
      '    tokens: { client: "${A}", host: \'${B:?set B}\' }',
      '  b:',
      '    tokens: {client: "${C}", host: "${D:-fallback-value-long}"}',
      '    env: { client: "${NOT_A_TOKEN}" }',
      '    labels: { host: "${NOR_THIS}" }',
    ].join('\n');
    assert.deepEqual(tokenVariables(text), ['A', 'B', 'C', 'D', 'D_CLIENT']);
  });

  it('with tokens in a flow mapping it writes .env with both variables', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'owctl-init-'));
    try {
      await writeFile(join(dir, 'openwork.yaml'), 'version: 1\nproject: p\nsandboxes:\n  a:\n    image: x:1\n    tokens: { client: "${A}", host: "${B}" }\n');
      const result = await runCli(['init'], { cwd: dir, env: { PATH: process.env.PATH } });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /wrote fresh tokens for A, B to \.env/);
      assert.deepEqual((await readFile(join(dir, '.env'), 'utf8')).split('\n').filter(Boolean).map((line) => line.split('=')[0]), ['A', 'B']);
      const again = await runCli(['init'], { cwd: dir, env: { PATH: process.env.PATH } });
      assert.match(again.stdout, /kept \.env: every token variable is already set/);
      await writeFile(join(dir, 'openwork.yaml'), 'version: 1\nproject: p\nsandboxes:\n  a:\n    image: x:1\n    tokens: { client: literal-token-0123456789, host: other-token-0123456789 }\n');
      const literal = await runCli(['init'], { cwd: dir, env: { PATH: process.env.PATH } });
      assert.match(literal.stdout, /wrote nothing to \.env: no tokens\.client or tokens\.host in the file reads a \$\{VARIABLE\}/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
