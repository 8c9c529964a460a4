/** The schema is what editors show: every key described, no key allowed unless declared, defaults as owctl's. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULTS } from '../../src/config/defaults.ts';
import { deref, schema, schemaAt, type SchemaNode } from '../../src/config/schema.ts';

function* objectSchemas(node: unknown, where: string): Generator<[string, SchemaNode]> {
  if (Array.isArray(node)) {
    for (const [index, item] of node.entries()) yield* objectSchemas(item, `${where}/${index}`);
  } else if (typeof node === 'object' && node !== null) {
    yield [where, node as SchemaNode];
    for (const [key, value] of Object.entries(node)) if (key !== 'default' && key !== 'const') yield* objectSchemas(value, `${where}/${key}`);
  }
}

describe('schemas/openwork.schema.json', () => {
  const root = schema().root;

  test('declares JSON Schema 2020-12', () => {
    assert.equal(root.$schema, 'https://json-schema.org/draft/2020-12/schema');
  });

  test('every property has a description', () => {
    for (const [where, node] of objectSchemas(root, '#')) {
      for (const [key, property] of Object.entries((node.properties ?? {}) as Record<string, SchemaNode>)) {
        assert.ok(typeof property.description === 'string' && property.description.length > 0, `${where}/properties/${key} has no description`);
      }
    }
  });

  test('every schema that declares properties forbids others', () => {
    for (const [where, node] of objectSchemas(root, '#')) {
      if (node.properties === undefined || where.endsWith('/complete') || where.includes('/complete/')) continue;
      assert.equal(node.additionalProperties, false, `${where} allows undeclared keys`);
    }
  });

  test("default annotations match owctl's built-in defaults", () => {
    const at = (...path: string[]): unknown => schemaAt(['sandboxes', 'x', ...path])?.default;
    assert.equal(at('pull'), DEFAULTS.pull);
    assert.equal(at('resources', 'cpus'), DEFAULTS.cpus);
    assert.equal(at('resources', 'memory'), `${DEFAULTS.memoryMib / 1024}G`);
    assert.equal(at('tokens', 'client_env'), DEFAULTS.clientEnv);
    assert.equal(at('tokens', 'host_env'), DEFAULTS.hostEnv);
    assert.equal(at('protect'), DEFAULTS.protect);
    assert.equal(at('verify', 'timeout'), `${DEFAULTS.verifyTimeoutSecs}s`);
    assert.equal(at('verify', 'connect_host'), DEFAULTS.connectHost);
    const port = deref(schemaAt(['sandboxes', 'x', 'ports', 0]))!.properties as Record<string, SchemaNode>;
    assert.equal(port.bind!.default, DEFAULTS.bind);
    assert.equal(port.protocol!.default, DEFAULTS.protocol);
  });
});
