import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { validateCommand } from '../../src/commands/validate.ts';
import type { CommandIO } from '../../src/commands/io.ts';
import type { Diagnostic } from '../../src/config/load.ts';
import { diagnosticsJson, displayFile, formatDiagnostics } from '../../src/views/diagnostics.ts';
import { minimalYaml, TEST_ENV, withFiles } from './helpers.ts';

function testIO(cwd: string, env: NodeJS.ProcessEnv = TEST_ENV): CommandIO & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    stdout: (text: string) => {
      io.out += text;
    },
    stderr: (text: string) => {
      io.err += text;
    },
    env,
    cwd,
    interactive: false,
    color: false,
  };
  return io;
}

const secrets = [TEST_ENV.OPENWORK_TOKEN!, TEST_ENV.OPENWORK_HOST_TOKEN!];
const bobYaml = `${minimalYaml()}\n  bob:\n    image: img\n    tokens: { client: "\${OPENWORK_TOKEN}", host: "\${OPENWORK_HOST_TOKEN}" }\n`;
const badYaml = minimalYaml('    resources: { memroy: 2G }\n    idle_timeout: 1d');

describe('owctl validate', () => {
  test('a valid file: exit 0 and a one-line summary', async () => {
    await withFiles({ 'openwork.yaml': bobYaml }, async (dir) => {
      const io = testIO(dir);
      assert.equal(await validateCommand({ file: 'openwork.yaml', json: false }, io), 0);
      assert.equal(io.out, 'openwork.yaml: valid (2 sandboxes)\n');
      assert.equal(io.err, '');
    });
  });

  test('a valid file with --json', async () => {
    await withFiles({ 'openwork.yaml': minimalYaml() }, async (dir) => {
      const io = testIO(dir);
      assert.equal(await validateCommand({ file: 'openwork.yaml', json: true }, io), 0);
      assert.equal(io.out, '{"format_version":"1.1","valid":true,"sandboxes":["alice"],"diagnostics":[],"warnings":[]}\n');
    });
  });

  test('idle_timeout: one warning per file, naming every sandbox that sets it (published-port traffic never counts)', async () => {
    const twoIdle = `${minimalYaml('    idle_timeout: 30m')}\n  bob:\n    image: img\n    idle_timeout: 10m\n    tokens: { client: "\${OPENWORK_TOKEN}", host: "\${OPENWORK_HOST_TOKEN}" }\n`;
    await withFiles({ 'openwork.yaml': twoIdle }, async (dir) => {
      const io = testIO(dir);
      assert.equal(await validateCommand({ file: 'openwork.yaml', json: false }, io), 0);
      assert.equal(io.out, 'openwork.yaml: valid (2 sandboxes)\n');
      const lines = io.err.split('\n').filter(Boolean);
      assert.equal(lines.length, 1);
      assert.match(lines[0]!, /^openwork\.yaml: warning: idle_timeout \(alice, bob\): on the local backend msb counts only exec activity as use, never client traffic on published ports/);
      const json = testIO(dir);
      await validateCommand({ file: 'openwork.yaml', json: true }, json);
      assert.equal(JSON.parse(json.out).warnings.length, 1);
    });
  });

  test('idle_timeout: a fleet is named by its first ten sandboxes and a count, on one line', async () => {
    const fleet = Array.from({ length: 250 }, (_, i) => `  sb-${String(i).padStart(3, '0')}:\n    image: img\n    idle_timeout: 10m\n    tokens: { client: "\${OPENWORK_TOKEN}", host: "\${OPENWORK_HOST_TOKEN}" }\n`);
    await withFiles({ 'openwork.yaml': `version: 1\nproject: demo\nsandboxes:\n${fleet.join('')}` }, async (dir) => {
      const io = testIO(dir);
      assert.equal(await validateCommand({ file: 'openwork.yaml', json: false }, io), 0, io.err);
      const lines = io.err.split('\n').filter(Boolean);
      assert.equal(lines.length, 1);
      assert.match(lines[0]!, /^openwork\.yaml: warning: idle_timeout \(sb-000, sb-001, sb-002, sb-003, sb-004, sb-005, sb-006, sb-007, sb-008, sb-009 and 240 more\): on the local backend/);
    });
  });

  test('an invalid file: exit 1, every diagnostic on stderr, nothing on stdout', async () => {
    await withFiles({ 'openwork.yaml': badYaml }, async (dir) => {
      const io = testIO(dir);
      assert.equal(await validateCommand({ file: path.join(dir, 'openwork.yaml'), json: false }, io), 1);
      assert.equal(io.out, '');
      assert.equal(
        io.err,
        [
          'openwork.yaml:7:18: error: sandboxes.alice.resources.memroy: unknown key "memroy"',
          '  hint: did you mean "memory"?',
          'openwork.yaml:8:19: error: sandboxes.alice.idle_timeout: "1d" is not a duration',
          '  hint: use 90s, 30m, 8h, or seconds as a number',
          'openwork.yaml: invalid (2 problems)',
          '',
        ].join('\n'),
      );
    });
  });

  test('an invalid file with --json: diagnostics on stdout', async () => {
    await withFiles({ 'openwork.yaml': badYaml }, async (dir) => {
      const io = testIO(dir);
      assert.equal(await validateCommand({ file: 'openwork.yaml', json: true }, io), 1);
      const parsed = JSON.parse(io.out) as { format_version: string; valid: boolean; sandboxes: string[]; diagnostics: Array<Record<string, unknown>> };
      assert.equal(parsed.format_version, '1.1');
      assert.equal(parsed.valid, false);
      assert.deepEqual(parsed.sandboxes, []);
      assert.deepEqual(parsed.diagnostics[0], {
        severity: 'error',
        file: 'openwork.yaml',
        line: 7,
        col: 18,
        path: 'sandboxes.alice.resources.memroy',
        message: 'unknown key "memroy"',
        hint: 'did you mean "memory"?',
      });
      assert.equal(io.err, '');
    });
  });

  test('never prints a secret, valid or not', async () => {
    const leaky = minimalYaml('    labels: { copy: "${OPENWORK_TOKEN}" }\n    env: { MSB_X: "${OPENWORK_HOST_TOKEN}" }').replace('"${OPENWORK_HOST_TOKEN}" }', '"${OPENWORK_TOKEN}" }');
    for (const content of [minimalYaml(), leaky]) {
      await withFiles({ 'openwork.yaml': content }, async (dir) => {
        for (const json of [false, true]) {
          const io = testIO(dir);
          await validateCommand({ file: 'openwork.yaml', json }, io);
          for (const secret of secrets) assert.ok(!io.out.includes(secret) && !io.err.includes(secret), `${io.out}${io.err}`);
        }
      });
    }
  });

  test('a missing file is an OwctlError for the CLI to render', async () => {
    await withFiles({}, async (dir) => {
      await assert.rejects(validateCommand({ file: 'nope.yaml', json: false }, testIO(dir)), /config file not found/);
    });
  });
});

describe('diagnostics view', () => {
  const diagnostics: Diagnostic[] = [
    { file: '/work/project/openwork.yaml', line: 12, col: 7, path: 'sandboxes.alice.resources.memory', message: '"2X" is not a size', hint: 'use 2G' },
    { file: '/work/project/.env', line: 1, col: 1, path: '', message: 'expected KEY=VALUE' },
  ];

  test('human form, files relative to the working folder', () => {
    assert.equal(
      formatDiagnostics(diagnostics, { color: false, cwd: '/work/project' }),
      'openwork.yaml:12:7: error: sandboxes.alice.resources.memory: "2X" is not a size\n  hint: use 2G\n.env:1:1: error: expected KEY=VALUE\n',
    );
  });

  test('colour only when asked', () => {
    const colored = formatDiagnostics(diagnostics, { color: true, cwd: '/work/project' });
    assert.match(colored, /\u001b\[31m/);
    assert.equal(colored.replace(/\u001b\[\d+m/g, ''), formatDiagnostics(diagnostics, { color: false, cwd: '/work/project' }));
  });

  test('paths stay absolute when the relative form is longer', () => {
    assert.equal(displayFile('/a/openwork.yaml', '/very/deep/working/folder'), '/a/openwork.yaml');
    assert.equal(displayFile('/work/other/openwork.yaml', '/work/project'), '../other/openwork.yaml');
  });

  test('JSON form', () => {
    assert.deepEqual(diagnosticsJson(diagnostics, { cwd: '/work/project' })[1], {
      severity: 'error',
      file: '.env',
      line: 1,
      col: 1,
      path: '',
      message: 'expected KEY=VALUE',
      hint: null,
    });
  });
});
