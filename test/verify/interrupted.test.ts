/** `owctl verify --url … --json` cut short by an interrupt: exit 128 + the signal's number, a schema-valid document that says so, and which step. */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { describe, it } from 'node:test';
import { main } from '../../src/cli/main.ts';
import { Interrupts } from '../../src/commands/interrupt.ts';
import type { CommandIO } from '../../src/commands/io.ts';
import { compileSchema } from '../helpers/schemas.ts';

describe('verify interrupted', () => {
  it('reports the step it cut, in a document valid against verify.schema.json, and exits 143 (SIGTERM)', async () => {
    let stdout = '';
    let stderr = '';
    const interrupts = new Interrupts((text) => void (stderr += text), () => undefined);
    // A server whose /health never turns 200: the interrupt arrives while verify waits for it.
    const server = createServer((_request, response) => {
      interrupts.receive('SIGTERM');
      response.writeHead(503).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const io: CommandIO = {
      stdout: (text) => void (stdout += text),
      stderr: (text) => void (stderr += text),
      env: { OPENWORK_TOKEN: 'client-token-0123456789abcdef', OPENWORK_HOST_TOKEN: 'host-token-0123456789abcdef' },
      cwd: process.cwd(),
      interactive: false,
      color: false,
      interrupts,
    };
    try {
      const code = await main(['node', 'owctl', 'verify', '--url', url, '--json'], io);
      assert.equal(code, 143, stderr);
      const document = JSON.parse(stdout) as { ok: boolean; interrupted?: boolean; targets: Array<{ failed: { step: string } }> };
      const validate = compileSchema('verify.schema.json');
      assert.ok(validate(document), JSON.stringify(validate.errors));
      assert.equal(document.ok, false);
      assert.equal(document.interrupted, true);
      assert.equal(document.targets[0]?.failed.step, 'health');
      assert.match(stderr, new RegExp(`verification of ${url} interrupted by SIGTERM at step health \\(${url}/health\\)`));
    } finally {
      server.close();
    }
  });
});
