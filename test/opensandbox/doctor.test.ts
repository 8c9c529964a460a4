/**
 * `owctl doctor` honours the file's backend: on OpenSandbox it checks the server (URL, /health, version, the key,
 * what create needs), not msb or KVM, so it passes on a host where apply works and fails when the key is refused.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertValid, compileSchema } from '../helpers/json-schema.ts';
import { API_KEY, Project } from './project.ts';

describe('owctl doctor with an opensandbox file', { timeout: 60_000 }, () => {
  let p: Project;
  before(async () => {
    p = await Project.start();
    await p.write([{ name: 'alice', maxDuration: '2h' }]);
  });
  after(async () => {
    await p?.close();
  });

  it('checks the server, not msb: exit 0 with the key accepted, valid against doctor.schema.json', async () => {
    const result = await p.owctl(['doctor', '--json'], { PATH: '/nonexistent', OWCTL_MSB: '/nonexistent/msb' });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const document = JSON.parse(result.stdout);
    assertValid(compileSchema('doctor.schema.json'), document, 'doctor');
    assert.deepEqual([document.msb, document.host, document.opensandbox.url, document.opensandbox.healthy, document.opensandbox.api_key], [null, null, p.standin.url, true, 'accepted']);
    assert.ok(document.opensandbox.create_needs.some((n: string) => /openwork:dev/.test(n)));
    assert.ok(!result.stdout.includes(API_KEY));
    const human = await p.owctl(['doctor'], { OWCTL_MSB: '/nonexistent/msb' });
    assert.match(human.stdout, /api key\s+✓ accepted/);
    assert.doesNotMatch(human.stdout, /msb|KVM|virtualisation/);
  });

  it('a refused key is a problem: exit 1, opensandbox.unauthorized', async () => {
    const result = await p.owctl(['doctor', '--json'], { OPEN_SANDBOX_API_KEY: 'osk-wrong-key-0000000000' });
    assert.equal(result.code, 1, result.stdout + result.stderr);
    const document = JSON.parse(result.stdout);
    assert.equal(document.opensandbox.api_key, 'refused');
    assert.deepEqual(document.problems.map((problem: { code: string }) => problem.code), ['opensandbox.unauthorized']);
    assert.ok(!result.stdout.includes('osk-wrong-key-0000000000'));
  });

  it('a server that does not answer: exit 1, opensandbox.unreachable', async () => {
    const result = await p.owctl(['doctor', '--json'], { OPEN_SANDBOX_URL: 'http://127.0.0.1:9' });
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.deepEqual(JSON.parse(result.stdout).problems.map((problem: { code: string }) => problem.code), ['opensandbox.unreachable']);
  });
});
