/**
 * The shipped program (bin/owctl.js, dist/ built by `npm run build`) observes through the SDK in every command that
 * observes, and through the CLI when pointed at another msb; OWCTL_DEBUG=1 names the channel on stderr.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'owctl.js');
const SIMULATOR = join(ROOT, 'test', 'sim', 'msb');
const TOKENS = { OPENWORK_TOKEN: 'bin-obs-client-0123456789', OPENWORK_HOST_TOKEN: 'bin-obs-host-0123456789' };

/** 0, or for a plan 1 exactly when its preflight found an error (a host that cannot boot, a registry out of reach). */
function expectedExit(args: string[], stdout: string): number {
  if (args[0] !== 'plan') return 0;
  const document = JSON.parse(stdout) as { preflight?: Array<{ severity: string }> };
  return (document.preflight ?? []).some((p) => p.severity === 'error') ? 1 : 0;
}

describe('bin/owctl.js: the observe channel of each command', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const owctl = (args: string[], extra: NodeJS.ProcessEnv = {}) => spawnSync(process.execPath, [BIN, ...args], { cwd: dir, env: { ...env, ...extra }, encoding: 'utf8' });

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'owctl-bin-observe-'));
    env = { PATH: process.env.PATH, HOME: dir, MSB_HOME: join(dir, 'msb-home'), NO_COLOR: '1', OWCTL_DEBUG: '1', ...TOKENS };
    await writeFile(join(dir, 'openwork.yaml'), await readFile(join(ROOT, 'examples', 'minimal.yaml'), 'utf8'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('plan, status and destroy observe through the SDK with the bundled msb; doctor says so', () => {
    for (const args of [['plan', '--json'], ['status'], ['destroy', '--auto-approve']]) {
      const result = owctl(args);
      assert.equal(result.status, expectedExit(args, result.stdout), `${args[0]}: ${result.stderr}`);
      assert.match(result.stderr, /observed through the SDK: msb is the bundled 0\.6\.18/, args[0]);
    }
    const doctor = JSON.parse(owctl(['doctor', '--json']).stdout) as { observe: { channel: string } };
    assert.equal(doctor.observe.channel, 'sdk');
  });

  it('plan observes through the CLI with the simulator, and with OWCTL_OBSERVE=cli', () => {
    const sim = owctl(['plan', '--json'], { OWCTL_MSB: SIMULATOR });
    assert.equal(sim.status, expectedExit(['plan'], sim.stdout), sim.stderr);
    assert.match(sim.stderr, /observed through the CLI: msb comes from OWCTL_MSB/);
    const forced = owctl(['plan'], { OWCTL_OBSERVE: 'cli' });
    assert.match(forced.stderr, /observed through the CLI: OWCTL_OBSERVE=cli/);
  });
});
