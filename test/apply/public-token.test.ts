/** A sandbox whose server accepts the public default tokens is not left serving: apply stops it and fails. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { ApplyEvent } from '../../src/apply/events.ts';
import { execute } from '../../src/apply/executor.ts';
import type { Runtime } from '../../src/apply/runtime.ts';
import { plan } from '../../src/plan/planner.ts';
import { desiredSandbox, desiredState, observedState } from '../helpers/states.ts';

it('a public-token verification failure stops the sandbox and fails with verify.public_token', async () => {
  const calls: string[] = [];
  const record = async (call: string) => void calls.push(call);
  const runtime: Runtime = {
    inspectImage: async (ref) => ({ ref, digest: 'sha256:1', env: {}, entrypoint: ['/entry'], cmd: [] }),
    loadImage: () => record('load'),
    pullImage: () => record('pull'),
    archiveDigest: async () => null,
    prepareMounts: () => record('prepareMounts'),
    create: (s) => record(`create ${s.name}`),
    remove: (name) => record(`remove ${name}`),
    start: (name) => record(`start ${name}`),
    stop: (name) => record(`stop ${name}`),
    modify: (name) => record(`modify ${name}`),
    launchServer: (name) => record(`launch ${name}`),
    stopServer: async (name) => (await record(`stopServer ${name}`), 'stopped'),
    verify: async () => {
      const failed = { step: 'default-tokens' as const, ok: false, durationMs: 1, url: 'http://127.0.0.1:8787/workspaces', status: 200, code: 'verify.public_token', message: 'security: …', hint: 'client_env / host_env' };
      return { ok: false, steps: [failed], failed };
    },
  };
  const desired = desiredState([desiredSandbox('alice')]);
  const events: ApplyEvent[] = [];
  const result = await execute(plan(desired, observedState([])).changes, desired, runtime, { parallelism: 1, signal: new AbortController().signal, onEvent: (e) => void events.push(e) });
  assert.deepEqual(calls, ['prepareMounts', 'create alice', 'launch alice', 'stop alice']);
  assert.equal(result.outcomes[0]?.outcome, 'failed');
  assert.equal(result.outcomes[0]?.error?.code, 'verify.public_token');
  assert.match(result.outcomes[0]?.error?.hint ?? '', /client_env/);
  assert.match(result.outcomes[0]?.error?.message ?? '', /the sandbox was stopped/);
  assert.ok(events.some((e) => e.type === 'step_finish' && e.step === 'stop' && e.ok));
});
