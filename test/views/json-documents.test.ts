/**
 * One JSON style everywhere: every document a command prints with --json (status, verify, doctor, validate, connect,
 * output, show, and the error document on failure) is produced for real here and checked against its schema in
 * schemas/, with snake_case keys and a format_version. Uses the real msb 0.6.18 in a temporary MSB_HOME.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { VERIFY_STEPS } from '../../src/verify/types.ts';
import { allKeys, assertValid, compileSchema } from '../helpers/json-schema.ts';
import { planBootCode, populateSandbox } from '../helpers/msb-home.ts';
import { projectYaml } from '../integration/project-yaml.ts';
import { makeProject, type RealProject } from '../integration/real-project.ts';

const SNAKE = /^[a-z][a-z0-9_]*$/;

function check(schema: string, stdout: string, what: string): any {
  const document = JSON.parse(stdout);
  assertValid(compileSchema(schema), document, what);
  assert.equal(Object.keys(document)[0], 'format_version', `${what}: format_version comes first`);
  const bad = allKeys(document).filter((key) => !SNAKE.test(key));
  assert.deepEqual(bad, [], `${what}: keys are snake_case`);
  return document;
}

describe('JSON documents against schemas/', () => {
  let p: RealProject;

  before(async () => {
    p = await makeProject();
    await p.write(projectYaml('docs', { alice: { ports: ['18787:8787'] }, bob: {} }));
    await populateSandbox(p.home, 'alice', { labels: { 'owctl.dev/project': 'docs' } });
  });
  after(() => p.cleanup());

  it('status --json', async () => {
    const result = await p.owctl(['status', '--json']);
    assert.equal(result.code, 0, result.stderr);
    const document = check('status.schema.json', result.stdout, 'status');
    assert.deepEqual(document.sandboxes.map((s: any) => [s.name, s.status]), [['alice', 'Stopped'], ['bob', 'not created']]);
  });

  it('validate --json, valid and invalid', async () => {
    check('validate.schema.json', (await p.owctl(['validate', '--json'])).stdout, 'valid');
    await p.write('version: 1\nproject: docs\nsandboxes:\n  alice:\n    imag: x\n');
    const invalid = await p.owctl(['validate', '--json']);
    assert.equal(invalid.code, 1);
    assert.ok(check('validate.schema.json', invalid.stdout, 'invalid').diagnostics.length > 0);
    await p.write(projectYaml('docs', { alice: { ports: ['18787:8787'] }, bob: {} }));
  });

  it('connect --json and output --json', async () => {
    check('connect.schema.json', (await p.owctl(['connect', 'alice', '--json'])).stdout, 'connect');
    const output = check('output.schema.json', (await p.owctl(['output', '--json'])).stdout, 'output');
    assert.deepEqual(output.outputs.map((o: any) => [o.sandbox, o.url]), [['alice', 'http://127.0.0.1:18787'], ['bob', null]]);
  });

  it('show --json prints the plan document', async () => {
    assert.equal((await p.owctl(['plan', '-o', 'plan.json'])).code, await planBootCode(0), 'a host that cannot boot fails the preflight, and still saves the plan');
    const shown = await p.owctl(['show', 'plan.json', '--json']);
    assert.equal(shown.code, 0, shown.stderr);
    assertValid(compileSchema('plan.schema.json'), JSON.parse(shown.stdout), 'show');
  });

  it('the verify schema names exactly the verification steps owctl runs', () => {
    const schema = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'schemas', 'verify.schema.json'), 'utf8'));
    assert.deepEqual(schema.$defs.step.properties.step.enum, [...VERIFY_STEPS]);
  });

  it('verify --json, here with a failed check', async () => {
    const result = await p.owctl(['verify', '--url', 'http://127.0.0.1:9', '--timeout', '1s', '--json']);
    assert.equal(result.code, 1);
    const document = check('verify.schema.json', result.stdout, 'verify');
    assert.equal(document.targets[0].failed.step, 'health');
  });

  it('doctor --json, with msb found and not found', async () => {
    check('doctor.schema.json', (await p.owctl(['doctor', '--json'])).stdout, 'doctor');
    const missing = await p.owctl(['--msb', '/nonexistent/msb', 'doctor', '--json']);
    assert.equal(missing.code, 1);
    assert.equal(check('doctor.schema.json', missing.stdout, 'doctor without msb').problems[0].code, 'msb.not_found');
  });

  it('failures print the error document with the stable code (and snake_case details)', async () => {
    const cases: Array<[string[], string]> = [
      [['-f', 'missing.yaml', 'status', '--json'], 'config.not_found'],
      [['--msb', '/nonexistent/msb', 'status', '--json'], 'msb.not_found'],
      [['connect', 'carol', '--json'], 'usage'],
      [['show', 'nope.json', '--json'], 'plan.invalid_file'],
      [['output', 'carol', '--json'], 'usage'],
    ];
    for (const [args, code] of cases) {
      const result = await p.owctl(args);
      assert.equal(result.code, 1, args.join(' '));
      assert.equal(check('error.schema.json', result.stdout, args.join(' ')).error.code, code);
    }
    await populateSandbox(p.home, 'bob', { labels: { team: 'other' } });
    const conflict = await p.owctl(['plan', '--json']);
    const error = check('error.schema.json', conflict.stdout, 'conflict').error;
    assert.deepEqual([error.code, error.details.conflicts[0].sandbox], ['plan.conflict', 'bob']);
  });
});
