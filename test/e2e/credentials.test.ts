/**
 * A model key held on the host (`credentials`) with an egress policy, end to end on the simulator: msb is given only
 * the reference (`--secret VAR@HOST`) and reads the value from its environment; the guest's variable holds the
 * placeholder, which apply's verification reads back through `msb exec`. Secret sweep: the value is in no output,
 * plan file, label, file under MSB_HOME, msb argv, or process command line sampled while owctl runs.
 */
import assert from 'node:assert/strict';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sampleCommandLines } from '../helpers/command-lines.ts';
import { built } from '../helpers/built-cli.ts';
import { Project, SIMULATOR_ONLY, freePort, tokens, type SandboxSpec, type Tokens } from './harness.ts';

const POLICY = [
  '    network:',
  '      egress: deny',
  '      rules:',
  '        - { allow: api.anthropic.com, ports: [443] }',
  '        - { allow: models.opencode.ai, ports: [443] }',
  '        - { allow: registry.npmjs.org, ports: [443] }',
  '        - { deny: 169.254.169.254 }',
  '    credentials:',
  '      ANTHROPIC_API_KEY: { value: "${ANTHROPIC_API_KEY}", hosts: [api.anthropic.com] }',
];

async function filesUnder(dir: string, secret: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    if ((await stat(path)).size > 64 * 1024 * 1024) continue;
    if ((await readFile(path)).includes(secret)) found.push(path);
  }
  return found;
}

describe('host-held credentials and an egress policy on msb', { skip: SIMULATOR_ONLY }, () => {
  let project: Project;
  let alice: SandboxSpec & { tokens: Tokens };
  const key = `sk-ant-e2e-${Math.random().toString(36).slice(2)}-0123456789`;
  const rotated = `${key}-rotated`;
  const outputs: string[] = [];
  let commandLines = '';

  before(async () => {
    project = await Project.create('credentials');
    project.secrets.push(key, rotated);
    alice = { name: 'alice', port: await freePort(), tokens: tokens('alice'), extraLines: POLICY };
    await project.writeFile([alice]);
    const sampler = sampleCommandLines();
    const applied = await project.owctl(['apply', '--auto-approve', '--json'], { ANTHROPIC_API_KEY: key });
    commandLines += (await sampler.stop()).join('\n');
    outputs.push(applied.stdout, applied.stderr);
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
  });
  after(() => project.cleanup());

  it('apply verifies that the guest variable holds the placeholder, read through msb exec', () => {
    const events = outputs[0]!.trim().split('\n').map((line) => JSON.parse(line));
    const step = events.find((e) => e.type === 'step_finish' && e.step === 'verify:credentials');
    assert.equal(step?.ok, true, JSON.stringify(step));
  });

  it('msb was given the rules, the default egress, the reference and block-and-log; the guest sees $MSB_ANTHROPIC_API_KEY', async () => {
    const create = (await project.msbCalls()).find((argv) => argv[0] === 'create')!;
    const flags = create.slice(create.indexOf('--conf') + 2);
    assert.deepEqual(flags, [
      '--net-rule', 'allow@api.anthropic.com:tcp:443',
      '--net-rule', 'allow@models.opencode.ai:tcp:443',
      '--net-rule', 'allow@registry.npmjs.org:tcp:443',
      '--net-rule', 'deny@169.254.169.254',
      '--net-default-egress', 'deny',
      '--secret', 'ANTHROPIC_API_KEY@api.anthropic.com',
      '--on-secret-violation', 'block-and-log',
    ]);
    const printed = await project.msbRaw(['exec', 'alice', '--', 'printenv', 'ANTHROPIC_API_KEY']);
    assert.equal(printed.stdout, '$MSB_ANTHROPIC_API_KEY\n');
  });

  it('in sync afterwards: plan finds nothing to change (the digest label matches the value)', async () => {
    const planned = await project.owctl(['plan', '--detailed-exitcode'], { ANTHROPIC_API_KEY: key });
    outputs.push(planned.stdout, planned.stderr);
    assert.equal(planned.code, 0, planned.stdout + planned.stderr);
    assert.doesNotMatch(planned.stderr, /warning: network/, 'the policy lets OpenCode reach what it needs at start');
  });

  it('a hand-run msb start without the variable is refused, as msb refuses it (it reads the value only when it starts the sandbox)', async () => {
    await project.msbRaw(['stop', 'alice']);
    const started = await project.msbRaw(['start', 'alice']);
    assert.equal(started.code, 1);
    assert.match(started.stderr, /invalid config: secret ANTHROPIC_API_KEY: host environment variable ANTHROPIC_API_KEY is not set/);
    assert.equal((await project.inspect('alice'))?.status, 'Stopped');
  });

  it('a new value: plan shows (sensitive value) in every format; apply changes it through msb modify --secret and starts the sandbox with it', async () => {
    const env = { ANTHROPIC_API_KEY: rotated };
    const planFile = join(project.dir, 'plan.json');
    for (const args of [['plan'], ['plan', '--json'], ['plan', '--format', 'markdown'], ['plan', '-o', planFile]]) {
      const result = await project.owctl(args, env);
      assert.equal(result.code, 0, result.stderr);
      outputs.push(result.stdout, result.stderr);
    }
    assert.match(outputs.at(-8)!, /~ credentials\.ANTHROPIC_API_KEY\.value += \(sensitive value\) -> \(sensitive value\)|credentials\.ANTHROPIC_API_KEY\.value/);
    outputs.push(await readFile(planFile, 'utf8'));
    const sampler = sampleCommandLines();
    const applied = await project.spawnOwctl(['apply', 'plan.json'], env, built()).done;
    commandLines += (await sampler.stop()).join('\n');
    outputs.push(applied.stdout, applied.stderr);
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    const calls = await project.msbCalls();
    const modify = calls.find((argv) => argv[0] === 'modify' && argv.some((a) => a.startsWith('--secret')));
    assert.ok(modify?.includes('--secret=ANTHROPIC_API_KEY@api.anthropic.com'), JSON.stringify(modify));
    assert.ok(calls.some((argv) => argv[0] === 'start'), 'started with the value in msb\'s environment');
    assert.ok(!calls.some((argv) => argv[0] === 'rm'), 'no replacement');
    assert.equal((await project.inspect('alice'))?.status, 'Running');
    const again = await project.owctl(['plan', '--detailed-exitcode'], env);
    assert.equal(again.code, 0, again.stdout);
  });

  it('secret sweep: no output, plan file, label, msb argv, command line or file under MSB_HOME holds either value', async () => {
    const labels = JSON.stringify((await project.inspect('alice'))?.config.labels ?? {});
    assert.match(labels, /owctl\.dev\/credentials/);
    await project.assertNoSecrets(...outputs, labels, commandLines);
    assert.deepEqual(await filesUnder(project.msbHome, key), []);
    assert.deepEqual(await filesUnder(project.msbHome, rotated), []);
  });
});
