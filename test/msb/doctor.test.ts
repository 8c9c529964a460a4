import assert from 'node:assert/strict';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { doctorCommand } from '../../src/commands/doctor.ts';
import type { CommandIO } from '../../src/commands/io.ts';
import type { MsbHome } from '../helpers/msb-home.ts';
import { IS_MSB_07, MSB_BIN, MSB_VERSION, makeMsbHome } from '../helpers/msb-home.ts';

function capture(env: NodeJS.ProcessEnv, cwd: string): CommandIO & { out: () => string } {
  let out = '';
  return { stdout: (t) => (out += t), stderr: () => {}, env, cwd, interactive: false, color: false, out: () => out };
}

describe('owctl doctor', () => {
  let home: MsbHome;
  let fake: string;

  before(async () => {
    home = await makeMsbHome();
    fake = join(home.root, 'fake-msb');
    // A host that can boot VMs, with a newer msb than the pinned one.
    await writeFile(
      fake,
      `#!/bin/sh\ncase "$1" in\n  --version) echo "msb 0.7.1" ;;\n  context) echo '{"kind":"local","source":"default"}' ;;\n  doctor) echo "   ✓ CPU virt     vmx" >&2 ;;\nesac\n`,
    );
    await chmod(fake, 0o755);
  });
  after(() => home.cleanup());

  it('reports path, source, version, host verdict, backend and MSB_HOME from the real msb', async () => {
    const io = capture(home.env, home.root);
    // The bundled msb is 0.6.18; 0.7.2 (test-only) is named with --msb.
    const code = await doctorCommand({ json: true, ...(IS_MSB_07 ? { msb: MSB_BIN } : {}) }, io);
    const report = JSON.parse(io.out()); // the JSON form: snake_case (schemas/doctor.schema.json)
    const via = IS_MSB_07 ? { source: 'flag', found_via: 'the --msb option' } : { source: 'bundled', found_via: 'the bundled npm package @superradcompany/microsandbox-linux-x64-gnu' };
    assert.deepEqual(report.msb, { path: MSB_BIN, ...via });
    assert.deepEqual(report.version, { found: MSB_VERSION, pinned: '0.6.18', matches: !IS_MSB_07 });
    assert.deepEqual(report.backend, { kind: 'local', source: 'default' });
    assert.deepEqual(report.msb_home, { path: home.home, source: 'MSB_HOME' });
    assert.ok(report.host);
    // Exit 1 whenever msb's host checks fail (here: no CPU virtualisation), everything still reported.
    assert.equal(code, report.host.ok ? 0 : 1);
    if (!report.host.cpu_virtualisation) {
      assert.ok(report.problems.some((p: { code: string }) => p.code === 'host.no_cpu_virtualisation'));
      const human = capture(home.env, home.root);
      assert.equal(await doctorCommand({ json: false }, human), 1);
      assert.match(human.out(), /cannot boot sandboxes/);
      assert.match(human.out(), new RegExp(`MSB_HOME  ${home.home} \\(from MSB_HOME\\)`));
    }
  });

  it('warns about a version other than the pinned one without failing', async () => {
    const io = capture(home.env, home.root);
    const code = await doctorCommand({ msb: fake, json: false }, io);
    assert.equal(code, 0, io.out());
    assert.match(io.out(), /0\.7\.1 \(owctl is pinned to 0\.6\.18\)/);
    assert.match(io.out(), /\(the --msb option\)/);
  });

  it('exits 1 and still reports MSB_HOME when msb cannot be found', async () => {
    const io = capture({ ...home.env, MSB_HOME: '', HOME: '/home/someone' }, home.root);
    const code = await doctorCommand({ msb: join(home.root, 'missing'), json: true }, io);
    const report = JSON.parse(io.out()); // the JSON form: snake_case (schemas/doctor.schema.json)
    assert.equal(code, 1);
    assert.equal(report.msb, null);
    assert.equal(report.problems[0]?.code, 'msb.not_found');
    assert.deepEqual(report.msb_home, { path: '/home/someone/.microsandbox', source: 'default' });
  });
});
