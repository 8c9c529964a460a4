/**
 * A token written inside another env value (`AUTH_HEADER: "Bearer ${TOKEN}"`) never leaves owctl in clear: not in
 * a plan (text, JSON, Markdown), a saved plan or its `show`, not in apply's output, not in the labels on the
 * sandbox (`owctl.dev/applied` included) and not on any msb command line, through a create and an in-place update.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Project, SIMULATOR_ONLY, freePort, tokens, type SandboxSpec, type Tokens } from './harness.ts';

describe('a token inside another env value', { skip: SIMULATOR_ONLY }, () => {
  let project: Project;
  after(() => project?.cleanup());

  it('is (sensitive value) everywhere owctl writes, and on no msb command line', async () => {
    project = await Project.create('secret-inside');
    const erin: SandboxSpec & { tokens: Tokens } = { name: 'erin', port: await freePort(), tokens: tokens('erin'), extraEnv: { AUTH_HEADER: 'Bearer ${ERIN_CLIENT}' } };
    await project.writeFile([erin]);
    const outputs: string[] = [];
    const created = await project.owctl(['apply', '--auto-approve']);
    assert.equal(created.code, 0, created.stdout + created.stderr);
    assert.match(created.stdout, /AUTH_HEADER/);
    outputs.push(created.stdout, created.stderr);
    // An in-place change beside it: the update must not put the value on msb modify's command line.
    await project.writeFile([{ ...erin, memory: '640M' }]);
    const planFile = join(project.dir, 'plan.json');
    for (const args of [['plan'], ['plan', '--json'], ['plan', '--format', 'markdown'], ['plan', '-o', planFile], ['show', planFile], ['show', planFile, '--json'], ['show', planFile, '--format', 'markdown']]) {
      const result = await project.owctl(args);
      assert.equal(result.code, 0, result.stdout + result.stderr);
      outputs.push(result.stdout, result.stderr);
    }
    assert.match(outputs.join('\n'), /AUTH_HEADER/);
    outputs.push(await readFile(planFile, 'utf8'));
    const updated = await project.owctl(['apply', planFile]);
    assert.equal(updated.code, 0, updated.stdout + updated.stderr);
    outputs.push(updated.stdout, updated.stderr);
    const calls = await project.msbCalls();
    assert.ok(calls.some((argv) => argv[0] === 'create') && calls.some((argv) => argv[0] === 'modify'), 'a create, then an in-place update');
    const live = await project.inspect('erin');
    assert.equal(live?.config.env.find((e: { key: string }) => e.key === 'AUTH_HEADER')?.value, `Bearer ${erin.tokens.client}`, 'the guest gets the value');
    outputs.push(JSON.stringify(live?.config.labels ?? {}));
    await project.assertNoSecrets(...outputs);
  });
});
