/**
 * The fast way of reading the file (src/config/fast-yaml.ts) must give exactly what the full way gives, or decline.
 * Every file of the corpus and a table of tricky spellings are loaded both ways and compared; the cases the fast
 * way must decline are checked one by one; and a valid file is proven to be read without the `yaml` package.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fastYaml } from '../../src/config/fast-yaml.ts';
import { loadConfig } from '../../src/config/load.ts';
import { minimalYaml, TEST_ENV, withFiles } from './helpers.ts';

const ROOT = path.join(import.meta.dirname, '..', '..');
const ENV: NodeJS.ProcessEnv = { ...TEST_ENV, FOUR: '4', YES: 'true', WORD: 'abc', OCTAL: '0o17' };
const lookup = (name: string) => ENV[name];

/** Loads `file` both ways; they must agree on everything, diagnostics included. */
async function assertSameBothWays(file: string, env = ENV): Promise<boolean> {
  const fast = await loadConfig(file, env);
  const full = await loadConfig(file, env, { positioned: true });
  assert.deepEqual(fast, full, path.relative(ROOT, file));
  return full.diagnostics.length === 0;
}

/** The files people copy, each with a distinct token for every variable it uses, and every bad case as it is. */
async function corpus(): Promise<{ good: Array<[string, NodeJS.ProcessEnv]>; bad: Array<[string, NodeJS.ProcessEnv]> }> {
  const examples = (await readdir(path.join(ROOT, 'examples'))).filter((f) => f.endsWith('.yaml')).map((f) => path.join(ROOT, 'examples', f));
  const good = await Promise.all(
    [path.join(ROOT, 'openwork.yaml'), ...examples].map(async (file): Promise<[string, NodeJS.ProcessEnv]> => {
      const names = [...(await readFile(file, 'utf8')).matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!);
      return [file, { ...ENV, ...Object.fromEntries(names.map((name, i) => [name, `${name.toLowerCase()}-value-${i}-0123456789`])) }];
    }),
  );
  const bad = path.join(ROOT, 'test', 'fixtures', 'config', 'bad');
  const cases = (await readdir(bad)).map((name): [string, NodeJS.ProcessEnv] => [path.join(bad, name, 'openwork.yaml'), ENV]);
  return { good, bad: cases };
}

describe('the fast way of reading the file', () => {
  it('agrees with the full way on every file of the corpus (examples, the repository file, every bad case)', async () => {
    const { good, bad } = await corpus();
    for (const [file, env] of good) assert.ok(await assertSameBothWays(file, env), `${file} is valid, so the fast way was really compared`);
    for (const [file, env] of bad) assert.equal(await assertSameBothWays(file, env), false, `${file} is a bad case`);
  });

  // Each line goes under sandbox alice of a minimal file; both ways must give the same result, valid or not.
  const spellings = [
    'env: { A: 8787, B: 1.5, C: -3, D: 0, E: true, F: false, G: null, H: "", I: plain words }',
    'env: { A: 0x1f, B: 0o17, C: 1e3, D: +1, E: .5, F: 1., G: 01, H: 1_000, I: .inf, J: .nan }',
    'env: { A: True, B: FALSE, C: ~, D: Null, E: yes, F: off, G: 2001-12-14, H: "0x1f", I: \'true\' }',
    'env: { A: ${FOUR}, B: "${FOUR}", C: ${YES}, D: ${WORD}, E: ${OCTAL}, F: x${FOUR}, G: $${FOUR}, H: "${MISSING:-d}" }',
    'env:\n      LIT: |\n        line one\n        ${WORD}\n      FOLD: >-\n        folded\n        text\n      ESC: "tab\\there \\u00e9"\n      MULTI: plain\n        continued',
    'labels: { "1.0": a, 0x1f: b, true: c, ~: d, "": e }',
    'labels: { __proto__: x, constructor: y, toString: z }',
    'labels: { a: 1, a: 2 }',
    'env: { <<: { A: b } }',
    'resources: { cpus: ${FOUR}, memory: 512M }',
    'resources: { cpus: "2", memory: 512M }',
    'resources: { cpus: 2.0, memory: 512M }',
    'protect: ${YES}',
    'command: [/bin/sh, -c, "a && b", "*", "!x"]',
  ];
  for (const line of spellings) {
    it(`agrees with the full way: ${line.split('\n')[0]}`, async () => {
      await withFiles({ 'openwork.yaml': minimalYaml(`    ${line}`) }, (dir) => assertSameBothWays(path.join(dir, 'openwork.yaml')));
    });
  }

  it('reads plain, quoted and interpolated scalars with the full way\'s types', () => {
    const text = 'a: 8787\nb: "8787"\nc: true\nd: ~ok\ne: ${FOUR}\nf: "${FOUR}"\ng:\nh: [1, x, null]\n';
    assert.deepEqual(fastYaml(text, lookup), { data: { a: 8787, b: '8787', c: true, d: '~ok', e: 4, f: '4', g: null, h: [1, 'x', null] } });
    assert.deepEqual(fastYaml('# nothing but a comment\n', lookup), undefined, 'an empty file is left to the full way, which says so');
  });

  const declined: Array<[string, string]> = [
    ['an anchor and an alias', 'a: &x 1\nb: *x\n'],
    ['a tag', 'a: !!str 1\n'],
    ['a directive', '%YAML 1.2\n---\na: 1\n'],
    ['two documents', 'a: 1\n---\nb: 2\n'],
    ['a repeated key', 'a: 1\na: 2\n'],
    ['a key that is a collection', '? [a, b]\n: c\n'],
    ['an empty key', '"": 1\n'],
    ['a hex number', 'a: 0x1f\n'],
    ['an exponent', 'a: 1e3\n'],
    ['a null spelt ~', 'a: ~\n'],
    ['a boolean spelt True', 'a: True\n'],
    ['a missing variable', 'a: ${NOT_SET}\n'],
    ['a syntax error', 'a: [1, 2\n'],
    ['tabs for indentation', 'a:\n\tb: 1\n'],
    ['nesting past the limit', `${'['.repeat(200)}${']'.repeat(200)}\n`],
  ];
  for (const [what, text] of declined) {
    it(`declines ${what}, leaving it to the full way`, () => assert.equal(fastYaml(text, lookup), undefined));
  }

  it("keeps keys named like Object.prototype's members as plain data, __proto__ included, as the full way does", async () => {
    const data = fastYaml('labels:\n  __proto__: a\n  constructor: b\n  toString: c\n  hasOwnProperty: d\n', lookup)?.data as { labels: Record<string, unknown> };
    assert.deepEqual(Object.keys(data.labels), ['__proto__', 'constructor', 'toString', 'hasOwnProperty']);
    assert.equal(Object.getPrototypeOf(data.labels), Object.prototype);
    assert.deepEqual(Object.getOwnPropertyDescriptor(data.labels, '__proto__'), { value: 'a', enumerable: true, writable: true, configurable: true });
    assert.equal(data.labels.constructor, 'b');
    await withFiles({ 'openwork.yaml': minimalYaml('    labels: { __proto__: a, constructor: b, toString: c }') }, async (dir) => {
      assert.equal(await assertSameBothWays(path.join(dir, 'openwork.yaml')), true);
    });
  });

  it('reads a valid file without loading the yaml package (the point of the fast way)', async () => {
    await withFiles({ 'openwork.yaml': minimalYaml() }, async (dir) => {
      const script = [
        `const { loadConfig } = await import(${JSON.stringify(path.join(ROOT, 'src', 'config', 'load.ts'))});`,
        `const result = await loadConfig(${JSON.stringify(path.join(dir, 'openwork.yaml'))}, ${JSON.stringify(ENV)});`,
        "const { createRequire } = await import('node:module');",
        "const cache = Object.keys(createRequire(import.meta.url).cache);",
        "console.log(JSON.stringify({ valid: result.diagnostics.length === 0, yaml: cache.some((f) => f.includes('/node_modules/yaml/')) }));",
      ].join('\n');
      const run = (source: string) => spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', source], { cwd: ROOT, encoding: 'utf8' });
      const fast = run(script);
      assert.equal(fast.status, 0, fast.stderr);
      assert.deepEqual(JSON.parse(fast.stdout), { valid: true, yaml: false });
      // The check can fail: the full way does load it.
      const full = run(script.replace('ENV_PLACEHOLDER', '').replace(`${JSON.stringify(ENV)});`, `${JSON.stringify(ENV)}, { positioned: true });`));
      assert.equal(full.status, 0, full.stderr);
      assert.deepEqual(JSON.parse(full.stdout), { valid: true, yaml: true });
    });
  });

  it('keeps the README\'s annotated file valid the fast way', async () => {
    const readme = await readFile(path.join(ROOT, 'README.md'), 'utf8');
    const block = /```yaml\n(# yaml-language-server[\s\S]*?)\n```/.exec(readme)?.[1];
    assert.ok(block, 'the README has its annotated file');
    const env = { ...ENV, ...Object.fromEntries([...block.matchAll(/\$\{([A-Z_]+)/g)].map((m, i) => [m[1]!, `token-value-${i}-0123456789abcdef`])) };
    await withFiles({ 'openwork.yaml': block }, async (dir) => {
      const file = path.join(dir, 'openwork.yaml');
      assert.deepEqual(await loadConfig(file, env), await loadConfig(file, env, { positioned: true }));
    });
  });
});
