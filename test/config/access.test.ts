import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { validateCommand } from '../../src/commands/validate.ts';
import type { CommandIO } from '../../src/commands/io.ts';
import { loadDesiredState } from '../../src/config/load.ts';
import { minimalYaml, TEST_ENV, withFiles } from './helpers.ts';

function testIO(cwd: string): CommandIO & { out: string; err: string } {
  const io = { out: '', err: '', stdout: (t: string) => void (io.out += t), stderr: (t: string) => void (io.err += t), env: TEST_ENV, cwd, interactive: false, color: false };
  return io;
}

describe('access: in the file', () => {
  test('people with a scope become sorted access entries; defaults.access merges under each sandbox', async () => {
    const yaml = minimalYaml('    access:\n      carol: { scope: collaborator }\n      bob: { scope: viewer }').replace('sandboxes:', 'defaults:\n  access: { ops: { scope: owner } }\nsandboxes:');
    await withFiles({ 'openwork.yaml': yaml }, async (dir) => {
      const loaded = await loadDesiredState(`${dir}/openwork.yaml`, TEST_ENV);
      assert.deepEqual(loaded.desired.sandboxes[0]?.access, [
        { person: 'bob', scope: 'viewer' },
        { person: 'carol', scope: 'collaborator' },
        { person: 'ops', scope: 'owner' },
      ]);
    });
  });

  test('an unknown scope, a misspelt key and a bad person name are each reported at file:line:col, and nothing else happens', async () => {
    const yaml = minimalYaml('    access:\n      bob: { scope: admin }\n      carol: { scop: viewer }\n      Dave: { scope: viewer }');
    await withFiles({ 'openwork.yaml': yaml }, async (dir) => {
      const io = testIO(dir);
      assert.equal(await validateCommand({ file: 'openwork.yaml', json: false }, io), 1);
      assert.match(io.err, /openwork\.yaml:8:\d+: .*sandboxes\.alice\.access\.bob\.scope/);
      assert.match(io.err, /openwork\.yaml:9:\d+: .*sandboxes\.alice\.access\.carol/);
      assert.match(io.err, /did you mean "scope"/);
      assert.match(io.err, /openwork\.yaml:10:\d+: .*Dave/);
    });
  });
});
