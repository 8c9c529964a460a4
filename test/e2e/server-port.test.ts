/**
 * The OpenWork server's guest port is a declared setting (`server.port`): owctl tells the server (OPENWORK_PORT),
 * finds its published host port, verifies it, and status, connect and outputs show its URL.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Project, freePort, get, json, tokens } from './harness.ts';

describe('server.port', { timeout: 300_000 }, () => {
  let project: Project;
  let port: number;
  before(async () => {
    project = await Project.create('server-port');
    port = await freePort();
    await project.writeFile([{ name: 'p1', port, tokens: tokens('p1'), serverPort: 9000 }]);
  });
  after(() => project.cleanup());

  it('apply starts the server on the declared guest port and verifies it through the host port published for it', async () => {
    const applied = await project.owctl(['apply', '--auto-approve']);
    assert.equal(applied.code, 0, applied.stderr + applied.stdout);
    assert.equal(envOf(await project.inspect('p1')).OPENWORK_PORT, '9000');
    assert.equal(await get(`http://127.0.0.1:${port}/health`), 200);
    const status = json(await project.owctl(['status', '--json']));
    assert.equal(status.sandboxes[0].url, `http://127.0.0.1:${port}`, JSON.stringify(status));
    const connect = await project.owctl(['connect', 'p1']);
    assert.equal(connect.code, 0, connect.stderr);
    assert.match(connect.stdout, new RegExp(`http://127\\.0\\.0\\.1:${port}`));
    const plan = await project.owctl(['plan', '--detailed-exitcode']);
    assert.equal(plan.code, 0, plan.stdout + plan.stderr);
    await project.assertNoSecrets(applied.stdout, applied.stderr, connect.stdout);
  });
});

/** msb's config env: a list of { key, value }, later entries winning. */
function envOf(inspected: { config: Record<string, any> } | null): Record<string, string> {
  return Object.fromEntries(((inspected?.config.env ?? []) as Array<{ key: string; value: string }>).map((e) => [e.key, e.value]));
}
