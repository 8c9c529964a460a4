import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { loadConfig } from '../../src/config/load.ts';
import { mergeDefaults } from '../../src/config/merge.ts';
import { TEST_ENV, withFiles } from './helpers.ts';

describe('mergeDefaults', () => {
  test('mappings merge deeply, the sandbox wins, lists and scalars replace', () => {
    const defaults = { image: 'a', env: { A: '1', B: '2' }, resources: { cpus: 1, memory: '1G' }, mounts: [{ target: '/a' }], protect: true };
    const sandbox = { env: { B: 'two', C: '3' }, resources: { memory: '4G' }, mounts: [{ target: '/b' }], protect: false };
    assert.deepEqual(mergeDefaults(defaults, sandbox), {
      image: 'a',
      env: { A: '1', B: 'two', C: '3' },
      resources: { cpus: 1, memory: '4G' },
      mounts: [{ target: '/b' }],
      protect: false,
    });
  });

  test('a string image replaces an image mapping and the other way round', () => {
    assert.deepEqual(mergeDefaults({ image: { ref: 'a', archive: './a.tar' } }, { image: 'b' }), { image: 'b' });
    assert.deepEqual(mergeDefaults({ image: 'a' }, { image: { ref: 'b' } }), { image: { ref: 'b' } });
  });

  test('missing sides', () => {
    assert.deepEqual(mergeDefaults(undefined, { a: 1 }), { a: 1 });
    assert.deepEqual(mergeDefaults({ a: 1 }, {}), { a: 1 });
  });

  test('does not mutate its inputs and keeps __proto__ as data', () => {
    const defaults = JSON.parse('{"env": {"__proto__": {"polluted": 1}, "A": "1"}}') as Record<string, unknown>;
    const sandbox = { env: { B: '2' } };
    const merged = mergeDefaults(defaults, sandbox) as { env: Record<string, unknown> };
    assert.deepEqual(Object.keys(merged.env).sort(), ['A', 'B', '__proto__']);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.deepEqual(sandbox, { env: { B: '2' } });
  });
});

describe('defaults in a file', () => {
  test('every sandbox inherits them, and each can override', async () => {
    const yaml = `version: 1
project: demo
defaults:
  image: base:1
  tokens:
    client: \${OPENWORK_TOKEN}
    host: \${OPENWORK_HOST_TOKEN}
  env: { SHARED: yes, MODE: auto }
  mounts:
    - { type: volume, source: cache, target: /cache }
  idle_timeout: 10m
sandboxes:
  b:
    env: { MODE: manual }
    mounts: []
  a:
    image: own:2
`;
    await withFiles({ 'openwork.yaml': yaml }, async (dir) => {
      const result = await loadConfig(path.join(dir, 'openwork.yaml'), TEST_ENV);
      assert.deepEqual(result.diagnostics, []);
      const [a, b] = result.desired!.sandboxes;
      assert.deepEqual([a!.name, b!.name], ['a', 'b']);
      assert.equal(a!.image.ref, 'own:2');
      assert.equal(b!.image.ref, 'base:1');
      assert.deepEqual(a!.env, { MODE: 'auto', SHARED: 'yes' });
      assert.deepEqual(b!.env, { MODE: 'manual', SHARED: 'yes' });
      assert.equal(a!.mounts.length, 1);
      assert.deepEqual(b!.mounts, []);
      assert.equal(a!.idleTimeoutSecs, 600);
      assert.equal(b!.tokens.client, TEST_ENV.OPENWORK_TOKEN);
    });
  });

  test('anchors under x- keys can be reused, and problems point at the anchor', async () => {
    const yaml = `version: 1
project: demo
x-base: &base
  image: base:1
  tokens: { client: "\${OPENWORK_TOKEN}", host: "\${OPENWORK_HOST_TOKEN}" }
  resources: { memory: 3X }
sandboxes:
  a: *base
`;
    await withFiles({ 'openwork.yaml': yaml }, async (dir) => {
      const result = await loadConfig(path.join(dir, 'openwork.yaml'), TEST_ENV);
      assert.deepEqual(
        result.diagnostics.map((d) => `${d.line}:${d.col} ${d.path}`),
        ['6:24 sandboxes.a.resources.memory'],
      );
      const fixed = await withFiles({ 'openwork.yaml': yaml.replace('3X', '3G') }, (again) => loadConfig(path.join(again, 'openwork.yaml'), TEST_ENV));
      assert.equal(fixed.desired!.sandboxes[0]!.memoryMib, 3072);
    });
  });
});
