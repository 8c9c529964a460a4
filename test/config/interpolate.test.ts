import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { interpolate } from '../../src/config/interpolate.ts';
import { loadConfig } from '../../src/config/load.ts';
import { minimalYaml, TEST_ENV, withFiles } from './helpers.ts';

const env: Record<string, string> = { SET: 'value', EMPTY: '', B: 'bee' };
const lookup = (name: string): string | undefined => env[name];
const value = (text: string): string => {
  const result = interpolate(text, lookup);
  assert.deepEqual(result.errors, [], `unexpected errors for ${text}`);
  return result.value;
};
const errors = (text: string): string[] => interpolate(text, lookup).errors.map((error) => error.message);

describe('interpolate', () => {
  test('substitutes braced and bare names', () => {
    assert.equal(value('a-${SET}-b'), 'a-value-b');
    assert.equal(value('$SET/x'), 'value/x');
    assert.equal(value('${EMPTY}'), '');
    assert.equal(value('no dollars'), 'no dollars');
  });

  test('$$ is a literal dollar and is never expanded', () => {
    assert.equal(value('cost $$5'), 'cost $5');
    assert.equal(value('$${SET}'), '${SET}');
    assert.equal(value('$$$SET'), '$value');
  });

  test(':- and - defaults, nested', () => {
    assert.equal(value('${UNSET:-dflt}'), 'dflt');
    assert.equal(value('${EMPTY:-dflt}'), 'dflt');
    assert.equal(value('${EMPTY-dflt}'), '');
    assert.equal(value('${UNSET-dflt}'), 'dflt');
    assert.equal(value('${SET:-dflt}'), 'value');
    assert.equal(value('${UNSET:-${B}-${UNSET2:-c}}'), 'bee-c');
    assert.equal(value('${UNSET:-}'), '');
  });

  test(':+ and + alternatives', () => {
    assert.equal(value('${SET:+on}'), 'on');
    assert.equal(value('${EMPTY:+on}'), '');
    assert.equal(value('${EMPTY+on}'), 'on');
    assert.equal(value('${UNSET+on}'), '');
  });

  test(':? and ? require a value and carry the message as the hint', () => {
    const result = interpolate('${UNSET:?run owctl init}', lookup);
    assert.equal(result.errors[0]?.message, 'required variable UNSET is not set');
    assert.equal(result.errors[0]?.hint, 'run owctl init');
    assert.deepEqual(errors('${EMPTY:?}'), ['required variable EMPTY is empty']);
    assert.equal(value('${EMPTY?must be set}'), '');
    assert.deepEqual(errors('${UNSET?}'), ['required variable UNSET is not set']);
  });

  test('an unset variable without a default is an error, and every one is reported', () => {
    assert.deepEqual(errors('${A1}/${A2}/$A3'), ['variable A1 is not set', 'variable A2 is not set', 'variable A3 is not set']);
    assert.equal(interpolate('${A1}', lookup).errors[0]?.expression, '${A1}');
  });

  test('syntax errors', () => {
    assert.deepEqual(errors('costs $5'), ['"$" is not followed by a variable name']);
    assert.deepEqual(errors('trailing $'), ['"$" is not followed by a variable name']);
    assert.deepEqual(errors('${NOT VALID}'), ['invalid interpolation "${NOT VALID}"']);
    assert.deepEqual(errors('${}'), ['invalid interpolation "${}"']);
    assert.deepEqual(errors('${1A}'), ['invalid interpolation "${1A}"']);
    assert.deepEqual(errors('${A:B}'), ['invalid interpolation "${A:B}"']);
    assert.deepEqual(errors('x ${SET'), ['unclosed "${" in interpolation']);
  });
});

describe('interpolation in a file', () => {
  test('an unquoted ${VAR} inside { } is a YAML error with a hint to quote it', async () => {
    await withFiles({ 'openwork.yaml': minimalYaml('    resources: { cpus: ${CPUS} }') }, async (dir) => {
      const result = await loadConfig(`${dir}/openwork.yaml`, TEST_ENV);
      assert.equal(result.diagnostics.length, 1);
      assert.equal(result.diagnostics[0]!.line, 7);
      assert.match(result.diagnostics[0]!.hint ?? '', /quote values that use/);
    });
  });

  test('errors point at the expression inside the scalar', async () => {
    const yaml = minimalYaml('    env:\n      A: prefix-${NOPE}\n      B: "x ${ALSO_NOPE}"');
    await withFiles({ 'openwork.yaml': yaml }, async (dir) => {
      const result = await loadConfig(`${dir}/openwork.yaml`, TEST_ENV);
      const found = result.diagnostics.map((d) => [d.line, d.col, d.path, d.message]);
      assert.deepEqual(found, [
        [8, 17, 'sandboxes.alice.env.A', 'variable NOPE is not set'],
        [9, 13, 'sandboxes.alice.env.B', 'variable ALSO_NOPE is not set'],
      ]);
    });
  });

  test('plain scalars are re-typed after substitution; quoted ones stay strings', async () => {
    const yaml = minimalYaml('    resources:\n      cpus: ${CPUS}\n    protect: ${PROTECT}\n    env: { PORT: "${CPUS}" }');
    await withFiles({ 'openwork.yaml': yaml }, async (dir) => {
      const result = await loadConfig(`${dir}/openwork.yaml`, { ...TEST_ENV, CPUS: '4', PROTECT: 'true' });
      assert.deepEqual(result.diagnostics, []);
      const alice = result.desired!.sandboxes[0]!;
      assert.equal(alice.cpus, 4);
      assert.equal(alice.protect, true);
      assert.equal(alice.env.PORT, '4');
    });
  });

  test('keys are not interpolated, and a value cannot inject YAML structure', async () => {
    const yaml = minimalYaml('    labels:\n      ${KEY}: v\n      injected: ${INJECT}');
    await withFiles({ 'openwork.yaml': yaml }, async (dir) => {
      const result = await loadConfig(`${dir}/openwork.yaml`, { ...TEST_ENV, KEY: 'k', INJECT: 'x\nimage: evil' });
      assert.deepEqual(result.diagnostics, []);
      const alice = result.desired!.sandboxes[0]!;
      assert.deepEqual(alice.labels, { '${KEY}': 'v', injected: 'x\nimage: evil' });
      assert.equal(alice.image.ref, 'openwork-microsandbox:dev');
    });
  });

  test('a value that fails interpolation is reported once, not again by later checks', async () => {
    const yaml = minimalYaml('    resources:\n      memory: ${MEM}').replace('${OPENWORK_TOKEN}', '${NO_TOKEN}');
    await withFiles({ 'openwork.yaml': yaml }, async (dir) => {
      const result = await loadConfig(`${dir}/openwork.yaml`, TEST_ENV);
      assert.deepEqual(
        result.diagnostics.map((d) => `${d.path}: ${d.message}`),
        ['sandboxes.alice.tokens.client: variable NO_TOKEN is not set', 'sandboxes.alice.resources.memory: variable MEM is not set'],
      );
    });
  });
});
