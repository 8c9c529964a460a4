import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { parseDotenv } from '../../src/config/dotenv.ts';
import { loadConfig } from '../../src/config/load.ts';
import { minimalYaml, TEST_ENV, withFiles } from './helpers.ts';

describe('parseDotenv', () => {
  test('reads KEY=VALUE lines the way docker compose does', () => {
    const text = [
      '# a comment',
      '',
      'PLAIN=value',
      'export EXPORTED=yes',
      'SPACED = padded value   ',
      'INLINE=value # comment',
      'HASH=a#b',
      "SINGLE='literal ${PLAIN} \\n # not a comment'",
      'DOUBLE="line1\\nline2 \\"q\\" ${PLAIN} \\$PLAIN"',
      'MULTI="first',
      'second"',
      'EMPTY=',
      'REF=${PLAIN}-x',
      'BARE_KEY',
      'WITH_CR=crlf\r',
    ].join('\n');
    const { vars, problems } = parseDotenv(text, {});
    assert.deepEqual(problems, []);
    assert.deepEqual(vars, {
      PLAIN: 'value',
      EXPORTED: 'yes',
      SPACED: 'padded value',
      INLINE: 'value',
      HASH: 'a#b',
      SINGLE: 'literal ${PLAIN} \\n # not a comment',
      DOUBLE: 'line1\nline2 "q" value $PLAIN',
      MULTI: 'first\nsecond',
      EMPTY: '',
      REF: 'value-x',
      WITH_CR: 'crlf',
    });
  });

  test('interpolation prefers the process environment', () => {
    assert.deepEqual(parseDotenv('A=file\nB=${A}', { A: 'process' }).vars, { A: 'file', B: 'process' });
  });

  test('reports bad lines with their position and keeps the good ones', () => {
    const { vars, problems } = parseDotenv('GOOD=1\n  not a line\nX="unclosed', {});
    assert.deepEqual(vars, { GOOD: '1' });
    assert.deepEqual(
      problems.map((p) => [p.line, p.col, p.message]),
      [
        [2, 3, 'expected KEY=VALUE'],
        [3, 3, 'unclosed double quote'],
      ],
    );
  });

  test('keys like __proto__ are plain data', () => {
    const { vars } = parseDotenv('__proto__=x\nconstructor=y', {});
    assert.equal(Object.getPrototypeOf(vars), Object.prototype);
    assert.equal(vars.__proto__ as unknown, 'x');
  });
});

describe('.env beside the YAML file', () => {
  const yaml = minimalYaml().replace('${OPENWORK_TOKEN}', '${DOTENV_TOKEN}');

  test('supplies variables, and the process environment wins', async () => {
    const dotenv = 'DOTENV_TOKEN=from-dotenv-0123456789\nOPENWORK_HOST_TOKEN=ignored-because-process-env-wins\n';
    await withFiles({ 'openwork.yaml': yaml, '.env': dotenv }, async (dir) => {
      const result = await loadConfig(path.join(dir, 'openwork.yaml'), TEST_ENV);
      assert.deepEqual(result.diagnostics, []);
      assert.equal(result.desired!.sandboxes[0]!.tokens.client, 'from-dotenv-0123456789');
      assert.equal(result.desired!.sandboxes[0]!.tokens.host, TEST_ENV.OPENWORK_HOST_TOKEN);
    });
  });

  test('an empty value in the process environment still wins', async () => {
    await withFiles({ 'openwork.yaml': yaml, '.env': 'DOTENV_TOKEN=from-dotenv-0123456789\n' }, async (dir) => {
      const result = await loadConfig(path.join(dir, 'openwork.yaml'), { ...TEST_ENV, DOTENV_TOKEN: '' });
      assert.deepEqual(result.diagnostics.map((d) => d.message), ['must be at least 16 characters long (got 0)']);
    });
  });

  test('problems in .env are reported against .env', async () => {
    await withFiles({ 'openwork.yaml': yaml, '.env': 'DOTENV_TOKEN=from-dotenv-0123456789\nnonsense here\n' }, async (dir) => {
      const result = await loadConfig(path.join(dir, 'openwork.yaml'), TEST_ENV);
      assert.deepEqual(result.diagnostics.map((d) => [path.basename(d.file), d.line, d.col, d.message]), [['.env', 2, 1, 'expected KEY=VALUE']]);
    });
  });
});
