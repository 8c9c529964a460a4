/**
 * Secrets on a live sandbox whose server prints its tokens at start-up, as the OpenWork image's entrypoint does:
 * owctl relays that log without them, with `logs` and `logs -f`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Project, SIMULATOR_ONLY, eventually, freePort, tokens, type SandboxSpec, type Tokens } from './harness.ts';

describe('secrets on a live sandbox', { skip: SIMULATOR_ONLY }, () => {
  let project: Project;
  let spec: SandboxSpec & { tokens: Tokens };

  before(async () => {
    project = await Project.create('secrets');
    spec = { name: 'alice', port: await freePort(), tokens: tokens('alice'), extraEnv: { OPENWORK_FIXTURE_ECHO_TOKENS: '1' } };
    await project.writeFile([spec]);
    const applied = await project.owctl(['apply', '--auto-approve']);
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    await project.assertNoSecrets(applied.stdout, applied.stderr);
  });
  after(() => project.cleanup());

  it('logs redacts the tokens the server prints', async () => {
    const logs = await project.owctl(['logs', 'alice', '--tail', '50']);
    assert.equal(logs.code, 0, logs.stderr);
    assert.match(logs.stdout, /- client token: \[redacted\]\n- host token: \[redacted\]\n.*Bearer \[redacted\]/);
    await project.assertNoSecrets(logs.stdout, logs.stderr);
  });

  it('logs -f redacts them too', async () => {
    const follow = project.spawnOwctl(['logs', 'alice', '--follow', '--tail', '50']);
    await eventually(async () => /Bearer \[redacted\]/.test(follow.output()), 15_000, 'the followed log');
    follow.child.kill('SIGINT');
    const result = await follow.done;
    await project.assertNoSecrets(result.stdout, result.stderr);
  });
});
