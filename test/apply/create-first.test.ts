/** The executor's create-first replacement and duplicate healing, on an engine keyed by id (an in-memory runtime). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ApplyEvent } from '../../src/apply/events.ts';
import { execute } from '../../src/apply/executor.ts';
import type { Runtime } from '../../src/apply/runtime.ts';
import { MSB_CAPABILITIES, type BackendCapabilities } from '../../src/model/capabilities.ts';
import type { Change } from '../../src/model/plan.ts';
import { OwctlError } from '../../src/errors.ts';
import { desiredSandbox, desiredState } from '../helpers/states.ts';

const REMOTE: BackendCapabilities = { ...MSB_CAPABILITIES, backend: 'opensandbox', createBeforeDestroy: true, launchesServer: false, localImages: false };

/** Instances by id; `bad` ids fail verification. */
function engine(bad: Set<string>) {
  const calls: string[] = [];
  let next = 0;
  const runtime: Runtime = {
    inspectImage: async () => null,
    loadImage: async () => undefined,
    pullImage: async () => undefined,
    archiveDigest: async () => null,
    prepareMounts: async () => undefined,
    create: async () => {
      const id = `new-${next++}`;
      calls.push(`create ${id}`);
      return id;
    },
    remove: async (_name, instance) => void calls.push(`remove ${instance}`),
    start: async () => undefined,
    stop: async () => undefined,
    modify: async () => undefined,
    launchServer: async () => void calls.push('launch'),
    stopServer: async () => (calls.push('stopServer'), 'stopped'),
    verify: async (_s, _step, _signal, instance) => {
      calls.push(`verify ${instance}`);
      return bad.has(instance!) ? { ok: false, steps: [], failed: { step: 'health', ok: false, durationMs: 1, url: 'http://x', message: 'down' } } : { ok: true, steps: [] };
    },
  };
  return { runtime, calls };
}

const change = (extra: Partial<Change>): Change => ({ sandbox: 'alice', action: 'replace', reason: 'r', fields: [], unchanged: 0, restart: false, start: true, blocked: false, ...extra });
const run = (changes: Change[], runtime: Runtime) =>
  execute(changes, desiredState([desiredSandbox('alice')]), runtime, { parallelism: 1, signal: new AbortController().signal, onEvent: (_e: ApplyEvent) => undefined, capabilities: REMOTE });

describe('create-first replacement', () => {
  it('creates, verifies the new sandbox, and only then removes the old ones', async () => {
    const { runtime, calls } = engine(new Set());
    const result = await run([change({ create_first: true, instances: ['old-a', 'old-b'] })], runtime);
    assert.deepEqual(calls, ['create new-0', 'verify new-0', 'remove old-a', 'remove old-b']);
    assert.equal(result.outcomes[0]!.outcome, 'succeeded');
  });

  it('a new sandbox that fails verification is removed again; the old one is kept and the change fails', async () => {
    const { runtime, calls } = engine(new Set(['new-0']));
    const result = await run([change({ create_first: true, instances: ['old-a'] })], runtime);
    assert.deepEqual(calls, ['create new-0', 'verify new-0', 'remove new-0']);
    assert.deepEqual([result.outcomes[0]!.outcome, result.outcomes[0]!.error?.code], ['failed', 'verify.failed']);
  });

  it('the engine re-reads the new sandbox after verification, before the old ones go; a new one it cannot prove is removed, the old kept', async () => {
    const { runtime, calls } = engine(new Set());
    runtime.confirmReplacement = async (_name, created, old) => {
      calls.push(`confirm ${created} over ${old.join(',')}`);
      throw new OwctlError('opensandbox.failed', 'alice (new-0) is Failed (CONTAINER_EXITED_ERROR): verification reached the old sandbox');
    };
    const result = await run([change({ create_first: true, instances: ['old-a'] })], runtime);
    assert.deepEqual(calls, ['create new-0', 'verify new-0', 'confirm new-0 over old-a', 'remove new-0']);
    assert.deepEqual([result.outcomes[0]!.outcome, result.outcomes[0]!.error?.step, result.outcomes[0]!.error?.code], ['failed', 'confirm-new', 'opensandbox.failed']);
  });

  it('a confirmed new sandbox: the old ones go after the confirmation', async () => {
    const { runtime, calls } = engine(new Set());
    runtime.confirmReplacement = async (_name, created) => void calls.push(`confirm ${created}`);
    await run([change({ create_first: true, instances: ['old-a'] })], runtime);
    assert.deepEqual(calls, ['create new-0', 'verify new-0', 'confirm new-0', 'remove old-a']);
  });
});

describe('delete-first replacement on an engine keyed by id', () => {
  it('verifies the new sandbox, not the id of the one it deleted', async () => {
    const { runtime, calls } = engine(new Set());
    const result = await run([change({ instances: ['old-a'] })], runtime);
    assert.deepEqual(calls.filter((c) => !c.startsWith('remove')), ['create new-0', 'verify new-0']);
    assert.equal(result.outcomes[0]!.outcome, 'succeeded');
  });
});

describe('healing duplicates', () => {
  it('keeps the first instance that verifies and removes the others', async () => {
    const { runtime, calls } = engine(new Set(['dup-a']));
    await run([change({ action: 'update', heal: true, start: false, instances: ['dup-a', 'dup-b', 'dup-c'] })], runtime);
    assert.deepEqual(calls.slice(0, 5), ['verify dup-a', 'verify dup-b', 'remove dup-a', 'remove dup-c', 'verify dup-b']);
  });

  it('when none verifies, a new one is created and verified, then all of them removed', async () => {
    const { runtime, calls } = engine(new Set(['dup-a', 'dup-b']));
    const result = await run([change({ action: 'update', heal: true, start: false, instances: ['dup-a', 'dup-b'] })], runtime);
    assert.deepEqual(calls, ['verify dup-a', 'verify dup-b', 'create new-0', 'verify new-0', 'remove dup-a', 'remove dup-b']);
    assert.equal(result.outcomes[0]!.outcome, 'succeeded');
  });
});
