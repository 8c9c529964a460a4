/** When msb says one thing and does another, owctl believes what it observes; and its hints run as printed. */
import assert from 'node:assert/strict';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Project, freePort, tokens } from './harness.ts';

const ECHO_WORKLOAD = join(import.meta.dirname, '..', 'sim', 'echo-workload.mjs');

/** Splits a shell command line written with plain words (what owctl's hints use) into argv. */
function words(command: string): string[] {
  assert.doesNotMatch(command, /['"\\$;|&]/, `a hint command should be plain words: ${command}`);
  return command.trim().split(/\s+/);
}

describe('when msb misbehaves', () => {
  let project: Project;
  before(async () => {
    // Its sandboxes run a tiny workload: nothing reaches OpenCode.
    project = await Project.create('misbehaves', { opencode: 'none' });
  });
  after(() => project.cleanup());

  it('an msb whose rm exits 0 but removes nothing: destroy fails and names the sandbox, never "Destroy complete"', async () => {
    const spec = { name: 'stays', port: await freePort(), tokens: tokens('stays') };
    await project.writeFile([spec]);
    // The sandbox only has to exist and be owned: a tiny workload, no OpenCode (verification is not the point here).
    await project.owctl(['apply', '--auto-approve'], { MSB_SIM_WORKLOAD: ECHO_WORKLOAD });
    assert.notEqual(await project.inspect('stays'), null);
    const liar = join(project.dir, 'msb-rm-lies');
    await writeFile(liar, `#!/bin/sh\n[ "$1" = rm ] && exit 0\nexec '${project.msb}' "$@"\n`);
    await chmod(liar, 0o755);
    const destroyed = await project.owctl(['destroy', '--auto-approve'], { OWCTL_MSB: liar });
    assert.equal(destroyed.code, 1, destroyed.stdout + destroyed.stderr);
    assert.doesNotMatch(destroyed.stdout, /Destroy complete/);
    assert.match(destroyed.stdout, /stays: delete failed at remove: msb rm stays exited 0 but the sandbox still exists/);
    assert.notEqual(await project.inspect('stays'), null);
    assert.equal((await project.owctl(['destroy', '--auto-approve'])).code, 0);
  });

  it('the conflict hint names an msb command that runs as printed and removes exactly the conflicting sandboxes', async () => {
    for (const name of ['sb1', 'sb2']) {
      const created = await project.msbRaw(['create', '--name', name, '--pull', 'never', '-m', '256M', 'openwork-microsandbox:dev']);
      assert.equal(created.code, 0, created.stderr);
    }
    await project.writeFile(await Promise.all(['sb1', 'sb2'].map(async (name) => ({ name, port: await freePort(), tokens: tokens(name) }))));
    const planned = await project.owctl(['plan']);
    assert.equal(planned.code, 1);
    const command = /`(msb rm[^`]*)`/.exec(planned.stderr)?.[1];
    assert.ok(command, planned.stderr);
    const [, ...args] = words(command);
    const removed = await project.msbRaw(args);
    assert.equal(removed.code, 0, `${command}: ${removed.stderr}`);
    assert.deepEqual((await project.names()).filter((name) => name === 'sb1' || name === 'sb2'), []);
  });
});
