import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { execute } from '../../src/apply/executor.ts';
import type { ModifyPatch, Runtime } from '../../src/apply/runtime.ts';
import type { ApplyEvent } from '../../src/apply/events.ts';
import type { DesiredSandbox } from '../../src/model/desired.ts';
import type { ObservedImage } from '../../src/model/observed.ts';
import { plan } from '../../src/plan/planner.ts';
import { desiredSandbox, desiredState, observedFrom, observedState } from '../helpers/states.ts';

const IMAGE: ObservedImage = { ref: 'openwork-microsandbox:dev', digest: 'sha256:1', env: {}, entrypoint: ['/usr/local/bin/microsandbox-entrypoint.sh'], cmd: [] };

/** Records every call in order; `fail` makes the named operation throw for the named sandbox. */
function recordingRuntime(options: { images?: Record<string, ObservedImage | null>; fail?: Record<string, string> } = {}) {
  const calls: string[] = [];
  const fails = (op: string, name: string) => {
    calls.push(`${op} ${name}`);
    if (options.fail?.[name] === op) throw new Error(`${op} failed for ${name}`);
  };
  const runtime: Runtime = {
    inspectImage: async (ref) => (calls.push(`inspectImage ${ref}`), options.images?.[ref] === undefined ? IMAGE : options.images[ref]!),
    loadImage: async (_archive, ref) => void calls.push(`loadImage ${ref}`),
    pullImage: async (ref) => void calls.push(`pullImage ${ref}`),
    archiveDigest: async () => null,
    prepareMounts: async (s: DesiredSandbox) => fails('prepareMounts', s.name),
    checkPorts: async (s: DesiredSandbox) => fails('checkPorts', s.name),
    create: async (s: DesiredSandbox) => fails('create', s.name),
    remove: async (name) => fails('remove', name),
    start: async (name) => fails('start', name),
    stop: async (name) => fails('stop', name),
    modify: async (name: string, patch: ModifyPatch, o) => fails(`modify${o.restart ? '+restart' : ''}:${Object.keys(patch.env).join(',')}`, name),
    launchServer: async (name, argv) => fails(`launch:${argv.join(' ')}`, name),
    stopServer: async (name) => (fails('stopServer', name), 'asked the OpenWork server to stop (SIGTERM); it exited after 0.1 s'),
    verify: async (s) => (fails('verify', s.name), { ok: true, steps: [] }),
  };
  return { runtime, calls };
}

const events: ApplyEvent[] = [];
const options = (signal = new AbortController().signal) => ({ parallelism: 1, signal, onEvent: (e: ApplyEvent) => void events.push(e) });

describe('executor', () => {
  it('creates: image check, folders, create, server launch, verify — in that order', async () => {
    const desired = desiredState([desiredSandbox('alice')]);
    const { runtime, calls } = recordingRuntime();
    const result = await execute(plan(desired, observedState([])).changes, desired, runtime, options());
    assert.deepEqual(calls, ['inspectImage openwork-microsandbox:dev', 'prepareMounts alice', 'checkPorts alice', 'create alice', 'launch:/usr/local/bin/microsandbox-entrypoint.sh alice', 'verify alice']);
    assert.deepEqual(result.outcomes.map((o) => o.outcome), ['succeeded']);
  });

  it('never removes the old sandbox of a replace when the new image is missing', async () => {
    const alice = desiredSandbox('alice');
    const desired = desiredState([{ ...alice, image: { ref: 'missing:v2' }, pull: 'never' }]);
    const { runtime, calls } = recordingRuntime({ images: { 'missing:v2': null } });
    const result = await execute(plan(desired, observedState([observedFrom('demo', alice)])).changes, desired, runtime, options());
    assert.deepEqual(calls, ['inspectImage missing:v2']);
    assert.equal(result.outcomes[0]?.outcome, 'failed');
    assert.equal(result.outcomes[0]?.error?.code, 'msb.image');
  });

  it('replaces only after the image, the bind folders and the host ports are ready', async () => {
    const alice = desiredSandbox('alice');
    const desired = desiredState([{ ...alice, image: { ref: 'openwork-microsandbox:v2' } }]);
    const live = observedState([observedFrom('demo', alice)]);
    const { runtime, calls } = recordingRuntime();
    await execute(plan(desired, live).changes, desired, runtime, options());
    assert.deepEqual(calls.slice(0, 6), ['inspectImage openwork-microsandbox:v2', 'prepareMounts alice', 'checkPorts alice', 'stopServer alice', 'remove alice', 'create alice']);
    for (const failing of ['prepareMounts', 'checkPorts']) {
      const broken = recordingRuntime({ fail: { alice: failing } });
      const result = await execute(plan(desired, live).changes, desired, broken.runtime, options());
      assert.equal(result.outcomes[0]?.outcome, 'failed');
      assert.ok(!broken.calls.includes('remove alice'), `${failing} failed: the old sandbox stays`);
    }
  });

  it('never removes the old sandbox of a replace whose new server command cannot be launched', async () => {
    const alice = desiredSandbox('alice');
    const live = observedState([observedFrom('demo', alice)]);
    const bare: ObservedImage = { ...IMAGE, ref: 'bare:v2', entrypoint: [], cmd: [] };
    const cases: Array<[string, DesiredSandbox, Record<string, ObservedImage>]> = [
      ['a program that reads as an option', { ...alice, command: ['--help'] }, {}],
      ['an image with neither ENTRYPOINT nor CMD, and no command', { ...alice, image: { ref: 'bare:v2' } }, { 'bare:v2': bare }],
    ];
    for (const [what, sandbox, images] of cases) {
      const desired = desiredState([sandbox]);
      const changes = plan(desired, live).changes;
      assert.equal(changes[0]?.action, 'replace', what);
      const { runtime, calls } = recordingRuntime({ images });
      const result = await execute(changes, desired, runtime, options());
      assert.equal(result.outcomes[0]?.outcome, 'failed', what);
      assert.equal(result.outcomes[0]?.error?.step, 'launch-server', what);
      assert.ok(!calls.includes('remove alice') && !calls.includes('stopServer alice'), `${what}: the old sandbox stays (${calls.join(', ')})`);
    }
  });

  it('keeps going when one sandbox fails and reports each outcome', async () => {
    const desired = desiredState([desiredSandbox('a'), desiredSandbox('b'), desiredSandbox('c')]);
    const { runtime } = recordingRuntime({ fail: { b: 'create' } });
    const result = await execute(plan(desired, observedState([])).changes, desired, runtime, { ...options(), parallelism: 2 });
    assert.deepEqual(result.outcomes.map((o) => [o.sandbox, o.outcome, o.error?.step]), [['a', 'succeeded', undefined], ['b', 'failed', 'create'], ['c', 'succeeded', undefined]]);
  });

  it('updates a running sandbox with a restart and relaunches its server, tokens never in the patch keys it logs', async () => {
    const alice = desiredSandbox('alice');
    const desired = desiredState([{ ...alice, env: { ...alice.env, LOG_LEVEL: 'debug' } }]);
    const { runtime, calls } = recordingRuntime();
    await execute(plan(desired, observedState([observedFrom('demo', alice)])).changes, desired, runtime, options());
    assert.deepEqual(calls, ['stopServer alice', 'modify+restart:LOG_LEVEL alice', 'inspectImage openwork-microsandbox:dev', 'launch:/usr/local/bin/microsandbox-entrypoint.sh alice', 'verify alice']);
  });

  it('boots a stopped sandbox before launching its server', async () => {
    const alice = desiredSandbox('alice');
    const desired = desiredState([alice]);
    const { runtime, calls } = recordingRuntime();
    await execute(plan(desired, observedState([observedFrom('demo', alice, { status: 'Stopped' })])).changes, desired, runtime, options());
    assert.deepEqual(calls.filter((c) => !c.startsWith('inspectImage')), ['start alice', 'launch:/usr/local/bin/microsandbox-entrypoint.sh alice', 'verify alice']);
  });

  it('asks a running server to stop before its sandbox is replaced or destroyed, and says so; a stopped one is left alone', async () => {
    const alice = desiredSandbox('alice');
    const bob = desiredSandbox('bob');
    const desired = desiredState([{ ...alice, image: { ref: 'openwork-microsandbox:v2' } }]);
    const live = observedState([observedFrom('demo', alice), observedFrom('demo', bob), observedFrom('demo', desiredSandbox('carol'), { status: 'Stopped' })]);
    const { runtime, calls } = recordingRuntime();
    const seen: ApplyEvent[] = [];
    await execute(plan(desired, live).changes, desired, runtime, { ...options(), onEvent: (e) => void seen.push(e) });
    const lifecycle = calls.filter((c) => /^(stopServer|remove|create) /.test(c));
    assert.deepEqual(lifecycle, ['stopServer alice', 'remove alice', 'create alice', 'stopServer bob', 'remove bob', 'remove carol']);
    const told = seen.filter((e) => e.type === 'step_finish' && e.step === 'stop-server');
    assert.deepEqual(told.map((e) => [e.sandbox, e.type === 'step_finish' && e.message]), [
      ['alice', 'asked the OpenWork server to stop (SIGTERM); it exited after 0.1 s'],
      ['bob', 'asked the OpenWork server to stop (SIGTERM); it exited after 0.1 s'],
    ]);
  });

  it('starts nothing new once aborted and marks the rest skipped', async () => {
    const desired = desiredState([desiredSandbox('a'), desiredSandbox('b')]);
    const controller = new AbortController();
    const { runtime } = recordingRuntime();
    runtime.verify = async () => (controller.abort(), { ok: true, steps: [] });
    const result = await execute(plan(desired, observedState([])).changes, desired, runtime, options(controller.signal));
    assert.deepEqual(result.outcomes.map((o) => [o.sandbox, o.outcome]), [['a', 'succeeded'], ['b', 'skipped']]);
    assert.equal(result.interrupted, true);
  });

  it('after an interrupt, lets the step in flight finish and starts no further step of that change', async () => {
    const desired = desiredState([desiredSandbox('a'), desiredSandbox('b')]);
    const controller = new AbortController();
    const { runtime, calls } = recordingRuntime();
    const create = runtime.create;
    runtime.create = async (sandbox, labels) => {
      controller.abort(); // Ctrl-C while msb create runs: the call itself completes
      await create(sandbox, labels);
    };
    const seen: ApplyEvent[] = [];
    const result = await execute(plan(desired, observedState([])).changes, desired, runtime, { ...options(controller.signal), onEvent: (e) => void seen.push(e) });
    assert.deepEqual(calls, ['inspectImage openwork-microsandbox:dev', 'prepareMounts a', 'checkPorts a', 'create a']);
    assert.deepEqual(result.outcomes.map((o) => [o.sandbox, o.outcome, o.step]), [['a', 'interrupted', 'launch-server'], ['b', 'skipped', undefined]]);
    assert.deepEqual(seen.filter((e) => e.type === 'change_interrupted').map((e) => (e as { reason: string }).reason), ['interrupted before launch-server']);
  });

  it('an interrupt cuts verification short: the change is interrupted during verify, not failed', async () => {
    const desired = desiredState([desiredSandbox('a')]);
    const controller = new AbortController();
    const { runtime } = recordingRuntime();
    runtime.verify = async () => {
      controller.abort();
      const cut = { step: 'health' as const, ok: false, durationMs: 1, url: 'http://127.0.0.1:8787/health', message: 'verification interrupted' };
      return { ok: false, steps: [cut], failed: cut };
    };
    const result = await execute(plan(desired, observedState([])).changes, desired, runtime, options(controller.signal));
    assert.deepEqual(result.outcomes.map((o) => [o.outcome, o.reason]), [['interrupted', 'interrupted during verify']]);
  });
});

describe('executor progress while verification waits', () => {
  it('reports what a verification step waits for as a step_start with a message (OpenCode\'s first session on a cold OpenCode)', async () => {
    const desired = desiredState([desiredSandbox('alice')]);
    const { runtime } = recordingRuntime();
    runtime.verify = async (_s, _onStep, _signal, _instance, onWaiting) => {
      onWaiting?.({ step: 'session', what: 'OpenCode to create a session (a cold OpenCode first installs its plugins)', url: 'http://x/w/ws/opencode/session', last: 'no answer yet', waitedSecs: 5, timeoutSecs: 118 });
      return { ok: true, steps: [] };
    };
    const seen: ApplyEvent[] = [];
    await execute(plan(desired, observedState([])).changes, desired, runtime, { parallelism: 1, signal: new AbortController().signal, onEvent: (e) => void seen.push(e) });
    assert.deepEqual(
      seen.filter((e) => e.type === 'step_start' && e.step === 'verify:session'),
      [{ type: 'step_start', sandbox: 'alice', step: 'verify:session', message: 'waiting for OpenCode to create a session (a cold OpenCode first installs its plugins) (5 s of 118 s)' }],
    );
  });
});
