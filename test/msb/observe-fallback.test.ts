/**
 * Every case where plans observe through the msb CLI rather than the SDK: `owctl doctor` names the channel and the
 * reason, the SDK is never loaded for them, and an SDK that fails at load or mid-call leaves a snapshot taken wholly
 * through the CLI. Against the real msb 0.6.18 in a temporary MSB_HOME, which this file's process uses throughout
 * (the SDK reads MSB_HOME from the process environment).
 */
import assert from 'node:assert/strict';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { diagnose, renderDoctor, type DoctorDeps } from '../../src/commands/doctor.ts';
import type { CommandIO } from '../../src/commands/io.ts';
import { loadDesiredState } from '../../src/config/load.ts';
import type { DesiredState } from '../../src/model/desired.ts';
import { Msb } from '../../src/msb/driver.ts';
import { liveObserver } from '../../src/msb/live-observer.ts';
import { observe } from '../../src/msb/observe.ts';
import { sdkFacts } from '../../src/msb/sdk-channel.ts';
import { loadSdk, type MicrosandboxSdk } from '../../src/msb/sdk-load.ts';
import { IS_MSB_07, MSB_BIN, makeMsbHome, populateSandbox, type MsbHome } from '../helpers/msb-home.ts';

const SIMULATOR = join(import.meta.dirname, '..', 'sim', 'msb');
const TOKENS = { OPENWORK_TOKEN: 'fb-client-token-0123456789', OPENWORK_HOST_TOKEN: 'fb-host-token-0123456789' };

function io(env: NodeJS.ProcessEnv, cwd: string): CommandIO {
  return { stdout: () => {}, stderr: () => {}, env, cwd, interactive: false, color: false };
}

// The SDK is the bundled msb 0.6.18's: with msb 0.7.2 (OWCTL_TEST_MSB) owctl observes through the CLI, which
// test/integration/msb-versions.test.ts asserts; these cases are about the bundled release only.
const ONLY_BUNDLED = IS_MSB_07 ? 'the SDK belongs to the bundled msb 0.6.18; with 0.7.2 the CLI observes (asserted in test/integration/msb-versions.test.ts)' : false;

describe('observe channel fallbacks, as doctor reports them', { skip: ONLY_BUNDLED }, () => {
  let home: MsbHome;
  let env: NodeJS.ProcessEnv;
  let desired: DesiredState;
  let loads = 0;
  const counting = (): DoctorDeps['observer'] => ({ load: () => (loads++, loadSdk()) });

  before(async () => {
    home = await makeMsbHome();
    for (const key of ['OWCTL_MSB', 'MSB_PATH', 'MSB_BACKEND', 'MSB_PROFILE', 'MSB_API_KEY', 'OWCTL_OBSERVE']) delete process.env[key];
    process.env.MSB_HOME = home.home;
    env = { ...process.env };
    await populateSandbox(home, 'a', { labels: { 'owctl.dev/project': 'fb' } });
    await populateSandbox(home, 'b');
    const file = join(home.root, 'openwork.yaml');
    await writeFile(
      file,
      ['version: 1', 'project: fb', 'sandboxes:', ...['a', 'b', 'c'].map((n) => `  ${n}: { image: ${home.rootfs}, tokens: { client: "\${OPENWORK_TOKEN}", host: "\${OPENWORK_HOST_TOKEN}" } }`)].join('\n'),
    );
    desired = (await loadDesiredState(file, { ...env, ...TOKENS } as Record<string, string>)).desired!;
  });
  after(() => home.cleanup());

  it('reports the SDK when msb is the bundled one of the same release', async () => {
    const report = await diagnose({ json: true }, io(env, home.root), { observer: counting() });
    assert.equal(report.observe?.channel, 'sdk', report.observe?.reason);
    assert.match(renderDoctor(report, false), /^observe {3}microsandbox SDK, in-process \(msb is the bundled 0\.6\.18/m);
  });

  const pathDir = () => join(home.root, 'on-path');
  const cliCases: Array<[string, { msb?: string; env?: NodeJS.ProcessEnv; deps?: DoctorDeps }, RegExp]> = [
    ['--msb (even naming the bundled binary)', { msb: MSB_BIN }, /msb comes from the --msb option/],
    ['OWCTL_MSB', { env: { OWCTL_MSB: MSB_BIN } }, /msb comes from OWCTL_MSB/],
    ['the simulator', { env: { OWCTL_MSB: SIMULATOR } }, /msb comes from OWCTL_MSB/],
    ['MSB_PATH', { env: { MSB_PATH: MSB_BIN } }, /msb comes from MSB_PATH/],
    ['msb on PATH', { env: { PATH: '' }, deps: { bundled: () => null } }, /msb comes from msb on PATH/],
    ['a version mismatch', { deps: { observer: { facts: { ...sdkFacts(), sdkVersion: '0.7.2' } } } }, /version mismatch/],
    ['no binding for the platform', { deps: { observer: { facts: { ...sdkFacts(), binding: false } } } }, /no native binding/],
  ];
  for (const [what, setup, reason] of cliCases) {
    it(`reports the CLI, and never loads the SDK, for ${what}`, async () => {
      await mkdir(pathDir(), { recursive: true });
      await symlink(MSB_BIN, join(pathDir(), 'msb')).catch(() => undefined);
      const caseEnv = { ...env, ...setup.env, ...(setup.env?.PATH === '' ? { PATH: pathDir() } : {}) };
      loads = 0;
      const deps: DoctorDeps = { ...setup.deps, observer: { ...counting(), ...setup.deps?.observer } };
      const report = await diagnose({ json: true, ...(setup.msb ? { msb: setup.msb } : {}) }, io(caseEnv, home.root), deps);
      assert.equal(report.observe?.channel, 'cli');
      assert.match(report.observe!.reason, reason);
      assert.match(renderDoctor(report, false), /^observe {3}msb CLI \(/m);
      assert.equal(loads, 0, 'the SDK must not be loaded when the CLI observes');
    });
  }

  it('reports the CLI when the SDK fails to load, or fails its first call', async () => {
    const noLoad = await diagnose({ json: true }, io(env, home.root), { observer: { load: () => Promise.reject(new Error('cannot open shared object')) } });
    assert.deepEqual(noLoad.observe, { channel: 'cli', reason: 'the SDK failed (Error: cannot open shared object), so the CLI observes' });
    const real = await loadSdk();
    const failing = { ...real, Sandbox: { listWith: () => Promise.reject(new Error('database is locked')) } } as unknown as MicrosandboxSdk;
    const noCall = await diagnose({ json: true }, io(env, home.root), { observer: { load: async () => failing } });
    assert.match(noCall.observe!.reason, /the SDK failed \(Error: database is locked\)/);
  });

  it('uses a listing started early for the project (while the file loads), and never one for another project', async () => {
    const cli = await observe(new Msb(MSB_BIN, env), desired, { parallelism: 4 });
    const real = await loadSdk();
    // A listing is two list calls here: the project's newest row, then its one page.
    for (const [hint, lists] of [['fb', 2], ['another', 4]] as const) {
      let calls = 0;
      const counted = { ...real, Sandbox: { ...real.Sandbox, listWith: (build: Parameters<typeof real.Sandbox.listWith>[0]) => (calls++, real.Sandbox.listWith(build)), get: real.Sandbox.get.bind(real.Sandbox) } } as unknown as MicrosandboxSdk;
      const observer = liveObserver(new Msb(MSB_BIN, env), { path: MSB_BIN, source: 'bundled' }, env, { load: async () => counted });
      observer.prefetch(hint);
      const observed = await observer.observe(desired, { parallelism: 4 });
      assert.deepEqual(observed, cli, hint);
      assert.equal(calls, lists, `project hint ${hint}: ${calls} list calls`);
      assert.equal(observer.choice.channel, 'sdk');
    }
  });

  it('observes wholly through the CLI when the SDK fails part-way: nothing it returned is kept', async () => {
    const cli = await observe(new Msb(MSB_BIN, env), desired, { parallelism: 4 });
    const real = await loadSdk();
    // The list answers (with a sandbox that does not exist), then the image lookup fails.
    const bogus = (await real.Sandbox.listWith((l) => l.limit(1))).sandboxes[0]!;
    const partial = {
      ...real,
      Sandbox: { listWith: async () => ({ sandboxes: [{ ...bogus, name: 'not-really-there', status: bogus.status, backendKind: 'local', configJson: bogus.configJson }] }), get: real.Sandbox.get.bind(real.Sandbox) },
      Image: { inspect: () => Promise.reject(new Error('image store unavailable')) },
    } as unknown as MicrosandboxSdk;
    const observer = liveObserver(new Msb(MSB_BIN, env), { path: MSB_BIN, source: 'bundled' }, env, { load: async () => partial });
    assert.equal(observer.choice.channel, 'sdk');
    const observed = await observer.observe(desired, { parallelism: 4 });
    assert.deepEqual(observed, cli);
    assert.deepEqual(observed.sandboxes.map((s) => s.name), ['a', 'b']);
    assert.deepEqual(observer.choice, { channel: 'cli', reason: 'the SDK failed (Error: image store unavailable), so the CLI observes' });
  });
});
