/**
 * `apply --json` / `destroy --json` on every kind of failure: the stream stays valid line by line against
 * schemas/events.schema.json and ends the same way — an error event with the stable code, then the summary with
 * the exit code the process returns.
 */
import assert from 'node:assert/strict';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { lockPath } from '../../src/apply/lock.ts';
import type { CliResult } from '../helpers/cli.ts';
import { compileSchema } from '../helpers/schemas.ts';
import { Project, SIMULATOR_ONLY, freePort, tokens } from './harness.ts';

const validate = compileSchema('events.schema.json');

/** Every stdout line is a schema-valid event; the stream ends with error(code) then summary(exit code). */
function assertFailedStream(result: CliResult, code: string): Record<string, any>[] {
  const lines = result.stdout.trimEnd().split('\n');
  const events = lines.map((line) => JSON.parse(line) as Record<string, any>);
  for (const event of events) assert.ok(validate(event), `${code}: ${JSON.stringify(validate.errors)}\n${JSON.stringify(event)}`);
  assert.equal(events[0]?.type, 'version', code);
  const [error, summary] = events.slice(-2);
  assert.equal(error?.type, 'error', `${code}: ${result.stdout}`);
  assert.equal(error?.code, code, `${code}: ${error?.message}`);
  assert.equal(summary?.type, 'summary', code);
  assert.equal(summary?.exit_code, result.code, code);
  assert.notEqual(result.code, 0, code);
  assert.match(result.stderr, /error: /, `${code}: the human error still goes to stderr`);
  return events;
}

describe('apply --json and destroy --json on failure', { skip: SIMULATOR_ONLY }, () => {
  let project: Project;
  let port: number;
  let spec: { name: string; port: number; tokens: ReturnType<typeof tokens> };
  before(async () => {
    // Every apply here fails before verification or runs a tiny workload: nothing reaches OpenCode.
    project = await Project.create('jsonerrors', { opencode: 'none' });
    port = await freePort();
    spec = { name: 'j1', port, tokens: tokens('j1') };
    await project.writeFile([spec]);
  });
  after(() => project.cleanup());

  const file = (name: string, text: string) => writeFile(join(project.dir, name), text);
  const wrapper = async (name: string, body: string) => {
    const path = join(project.dir, name);
    await writeFile(path, `#!/bin/sh\n${body}\nexec '${project.msb}' "$@"\n`);
    await chmod(path, 0o755);
    return path;
  };

  it('config.not_found, config.invalid (a bad key; a required variable that is not set)', async () => {
    assertFailedStream(await project.owctl(['-f', 'missing.yaml', 'apply', '--json', '--auto-approve']), 'config.not_found');
    await file('invalid.yaml', 'version: 1\nproject: demo\nsandboxes:\n  x:\n    imagee: nope\n');
    const invalid = assertFailedStream(await project.owctl(['-f', 'invalid.yaml', 'destroy', '--json', '--auto-approve']), 'config.invalid');
    assert.ok(Array.isArray(invalid.at(-2)?.details?.diagnostics), 'the diagnostics travel in details');
    await file('interp.yaml', (await readFile(join(project.dir, 'openwork.yaml'), 'utf8')).replace('${J1_CLIENT}', '${NOT_SET_ANYWHERE:?set it}'));
    const unset = assertFailedStream(await project.owctl(['-f', 'interp.yaml', 'apply', '--json', '--auto-approve']), 'config.invalid');
    assert.match(JSON.stringify(unset.at(-2)?.details), /NOT_SET_ANYWHERE/);
  });

  it('msb.not_found, msb.unsupported_backend, msb.bad_output, msb.failed', async () => {
    assertFailedStream(await project.owctl(['apply', '--json', '--auto-approve'], { OWCTL_MSB: join(project.dir, 'no-such-msb') }), 'msb.not_found');
    assertFailedStream(await project.owctl(['destroy', '--json', '--auto-approve'], { MSB_BACKEND: 'cloud', MSB_API_KEY: 'x' }), 'msb.unsupported_backend');
    const garbled = await wrapper('msb-garbled', '[ "$1" = ls ] && { echo "not json"; exit 0; }');
    assertFailedStream(await project.owctl(['apply', '--json', '--auto-approve'], { OWCTL_MSB: garbled }), 'msb.bad_output');
    const broken = await wrapper('msb-broken', '[ "$1" = ls ] && { echo "segfault" >&2; exit 139; }');
    assertFailedStream(await project.owctl(['apply', '--json', '--auto-approve'], { OWCTL_MSB: broken }), 'msb.failed');
  });

  it('lock.held, apply.not_approved, usage', async () => {
    const lock = lockPath('jsonerrors', project.msbHome);
    await writeFile(lock, JSON.stringify({ pid: process.pid, host: hostname(), command: 'apply', project: 'jsonerrors', msb_home: project.msbHome, started_at: new Date().toISOString() }));
    try {
      const held = assertFailedStream(await project.owctl(['apply', '--json', '--auto-approve']), 'lock.held');
      assert.equal(held.at(-2)?.details?.holder?.pid, process.pid);
    } finally {
      await import('node:fs/promises').then((fs) => fs.rm(lock, { force: true }));
    }
    assertFailedStream(await project.owctl(['apply', '--json']), 'apply.not_approved');
    assertFailedStream(await project.owctl(['destroy', '--json', '--auto-approve', '--target', 'nope']), 'usage');
    // Refused while the arguments are read, before the command runs: the stream still ends the same way.
    assertFailedStream(await project.owctl(['apply', '--json', '--parallelism', '0']), 'usage');
    assertFailedStream(await project.owctl(['destroy', '--bogus', '--json']), 'usage');
  });

  it('plan.invalid_file, plan.stale', async () => {
    await file('not-a-plan.json', '{"hello":1}');
    const notAPlan = assertFailedStream(await project.owctl(['apply', join(project.dir, 'not-a-plan.json'), '--json']), 'plan.invalid_file');
    assert.match(notAPlan.at(-2)?.message, /is not an owctl saved plan/);
    const saved = join(project.dir, 'plan.json');
    assert.equal((await project.owctl(['plan', '-o', saved])).code, 0);
    await project.writeFile([{ ...spec, memory: '768M' }]);
    assertFailedStream(await project.owctl(['apply', saved, '--json']), 'plan.stale');
    await project.writeFile([spec]);
  });

  it('plan.conflict, plan.protected', async () => {
    const created = await project.msbRaw(['create', '--name', 'taken', '--pull', 'never', '-m', '256M', 'openwork-microsandbox:dev']);
    assert.equal(created.code, 0, created.stderr);
    await project.writeFile([spec, { name: 'taken', port: await freePort(), tokens: tokens('taken') }]);
    assertFailedStream(await project.owctl(['apply', '--json', '--auto-approve']), 'plan.conflict');
    assert.equal((await project.msbRaw(['rm', '--force', 'taken'])).code, 0);
    await project.writeFile([{ ...spec, protect: true }]);
    // The sandbox only has to exist, owned and protected: a tiny workload, no OpenCode (verification is not the point).
    await project.owctl(['apply', '--auto-approve'], { MSB_SIM_WORKLOAD: join(import.meta.dirname, '..', 'sim', 'echo-workload.mjs') });
    assert.notEqual(await project.inspect('j1'), null);
    assertFailedStream(await project.owctl(['destroy', '--json', '--auto-approve']), 'plan.protected');
    assert.equal((await project.owctl(['destroy', '--auto-approve', '--include-protected'])).code, 0);
    await project.writeFile([spec]);
  });
});
