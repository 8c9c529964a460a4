/** Day-2 commands on a live sandbox: image archives, verify, status, connect, logs. */
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { writeOciImage } from '../helpers/oci-image.ts';
import { Project, freePort, json, tokens, type SandboxSpec, type Tokens } from './harness.ts';

describe('day-2 commands', () => {
  let project: Project;
  let spec: SandboxSpec & { tokens: Tokens };

  before(async () => {
    // The real OpenCode: this file is the witness that the whole lifecycle (apply's verification, verify, status,
    // connect, logs) works against it; the other scenarios use the harness's stand-in of its routes.
    project = await Project.create('day2', { opencode: 'shared' });
    spec = { name: 'alice', port: await freePort(), tokens: tokens('alice') };
  });
  after(() => project.cleanup());

  it('loads an image from a local archive when msb does not have the ref, then boots from it', async () => {
    const ref = 'openwork-microsandbox:from-archive';
    await mkdir(join(project.dir, 'archive'));
    await writeOciImage(join(project.dir, 'archive'), { ref });
    await project.writeFile([{ ...spec, image: ref }]);
    const text = await readFile(join(project.dir, 'openwork.yaml'), 'utf8');
    await writeFile(join(project.dir, 'openwork.yaml'), text.replace(`image: ${ref}`, `image: { ref: "${ref}", archive: ./archive/image.tar }`));
    assert.notEqual((await project.msbRaw(['image', 'inspect', ref, '--format', 'json'])).code, 0, 'not loaded yet');
    const result = await project.owctl(['apply', '--auto-approve', '--json']);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const steps = result.stdout.trim().split('\n').map((l) => JSON.parse(l)).filter((e) => e.type === 'step_finish').map((e) => e.step);
    assert.ok(steps.includes('load-image'));
    assert.equal((await project.msbRaw(['image', 'inspect', ref, '--format', 'json'])).code, 0);
    const second = await project.owctl(['apply', '--auto-approve']);
    assert.match(second.stdout, /No changes/);
  });

  it('verify checks declared sandboxes and any URL, with tokens only from the environment', async () => {
    const declared = await project.owctl(['verify', 'alice', '--json']);
    assert.equal(declared.code, 0, declared.stdout + declared.stderr);
    assert.deepEqual(json(declared).targets[0].steps.map((s: any) => s.step), ['health', 'unauthorized', 'default-tokens', 'authorized', 'session', 'events', 'host-token']);
    const url = `http://127.0.0.1:${spec.port}`;
    const good = await project.owctl(['verify', '--url', url], { OPENWORK_TOKEN: spec.tokens.client, OPENWORK_HOST_TOKEN: spec.tokens.host });
    assert.equal(good.code, 0, good.stdout + good.stderr);
    const wrong = await project.owctl(['verify', '--url', url, '--token-env', 'MY_TOKEN'], { MY_TOKEN: 'not-the-client-token-123456', OPENWORK_HOST_TOKEN: spec.tokens.host });
    assert.equal(wrong.code, 1);
    assert.match(wrong.stdout, /✗ authorized .* HTTP 401/);
    const missing = await project.owctl(['verify', '--url', url, '--token-env', 'UNSET_VAR']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /UNSET_VAR is not set[\s\S]*hint:/);
    await project.assertNoSecrets(declared.stdout, good.stdout, wrong.stdout, missing.stderr);
  });

  it('status shows the live table and connect the pairing details, the token only on request', async () => {
    const status = json(await project.owctl(['status', '--json']));
    assert.deepEqual(status.sandboxes.map((s: any) => [s.name, s.status, s.server, s.url]), [['alice', 'Running', 'up', `http://127.0.0.1:${spec.port}`]]);
    const connect = await project.owctl(['connect', 'alice']);
    assert.match(connect.stdout, new RegExp(`http://127.0.0.1:${spec.port}`));
    await project.assertNoSecrets(connect.stdout);
    const shown = await project.owctl(['connect', 'alice', '--show-token']);
    assert.ok(shown.stdout.includes(spec.tokens.client));
  });

  it('logs prints the OpenWork server output from inside the sandbox', async () => {
    const logs = await project.owctl(['logs', 'alice', '--tail', '50']);
    assert.equal(logs.code, 0, logs.stderr);
    assert.match(logs.stdout, /GET \/health 200/);
    await project.assertNoSecrets(logs.stdout, logs.stderr);
  });
});
