/**
 * The machine formats against their published schemas (schemas/plan.schema.json, schemas/events.schema.json):
 * every plan golden document, and a real event stream produced by driving EventStream with the executor on a
 * fake runtime through success, failure, interruption, destroy with --purge, and a run with nothing to do.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { AnySchemaObject, ValidateFunction } from 'ajv/dist/2020.js';
import { execute } from '../../src/apply/executor.ts';
import type { ApplyEvent, StepName } from '../../src/apply/events.ts';
import { createdEntries } from '../../src/apply/created-folders.ts';
import { carryOutPurge, planPurge } from '../../src/apply/purge.ts';
import type { Runtime } from '../../src/apply/runtime.ts';
import { exitCodeOf } from '../../src/commands/run-changes.ts';
import { OwctlError } from '../../src/errors.ts';
import type { DesiredSandbox, DesiredState } from '../../src/model/desired.ts';
import type { ObservedImage, ObservedState } from '../../src/model/observed.ts';
import { destroyPlan } from '../../src/plan/destroy.ts';
import { plan } from '../../src/plan/planner.ts';
import { EventStream } from '../../src/views/event-stream.ts';
import { planDocument, renderPlanJson } from '../../src/views/plan-json.ts';
import { sandboxOutput } from '../../src/views/outputs.ts';
import { CLIENT_TOKEN, desiredSandbox, desiredState, HOST_TOKEN, observedFrom, observedState } from '../helpers/states.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const PLAN_CASES = join(ROOT, 'test', 'fixtures', 'plan');
const EVENT_TYPES = ['version', 'planned_change', 'change_start', 'step_start', 'step_finish', 'change_finish', 'change_failed', 'change_skipped', 'change_interrupted', 'planned_purge', 'purge', 'outputs', 'error', 'summary'];

function compile(file: string): ValidateFunction {
  const require = createRequire(import.meta.url);
  const { Ajv2020 } = require('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
  ajv.addFormat('date-time', (value: string) => !Number.isNaN(Date.parse(value)));
  return ajv.compile(JSON.parse(readFileSync(join(ROOT, 'schemas', file), 'utf8')) as AnySchemaObject);
}

function assertValid(validate: ValidateFunction, value: unknown, what: string): void {
  assert.ok(validate(value), `${what}: ${JSON.stringify(validate.errors, null, 2)}\n${JSON.stringify(value)}`);
}

const IMAGE: ObservedImage = { ref: 'openwork-microsandbox:dev', digest: 'sha256:1', env: {}, entrypoint: ['/usr/local/bin/microsandbox-entrypoint.sh'], cmd: [] };

/** A runtime that succeeds, except where `fail` names an operation for a sandbox (or verification fails). */
function fakeRuntime(options: { fail?: Record<string, string>; failVerify?: string[]; onVerify?: () => void; onCreate?: () => void } = {}): Runtime {
  const op = async (name: string, sandbox: string) => {
    if (name === 'create') options.onCreate?.();
    if (options.fail?.[sandbox] === name) throw new Error(`${name} failed for ${sandbox}: exit status 1`);
  };
  return {
    inspectImage: async () => IMAGE,
    loadImage: async () => undefined,
    pullImage: async () => undefined,
    archiveDigest: async () => null,
    prepareMounts: (s: DesiredSandbox) => op('prepareMounts', s.name),
    checkPorts: (s: DesiredSandbox) => op('checkPorts', s.name),
    create: (s: DesiredSandbox) => op('create', s.name),
    remove: (name) => op('remove', name),
    start: (name) => op('start', name),
    stop: (name) => op('stop', name),
    stopServer: async () => 'asked the OpenWork server to stop (SIGTERM); it exited after 0.1 s',
    modify: async (name) => {
      if (options.fail?.[name] === 'modify') throw new OwctlError('msb.failed', 'msb modify failed', { hint: 'run `owctl doctor`' });
    },
    launchServer: (name) => op('launchServer', name),
    verify: async (s, onStep) => {
      options.onVerify?.();
      const url = 'http://127.0.0.1:8787/health';
      if (options.failVerify?.includes(s.name)) {
        const failed = { step: 'health' as const, ok: false, durationMs: 5, url, status: 503, message: 'HTTP 503', hint: `run \`owctl logs ${s.name}\`` };
        onStep(failed);
        return { ok: false, steps: [failed], failed };
      }
      const steps = [
        { step: 'health' as const, ok: true, durationMs: 3, url },
        { step: 'unauthorized' as const, ok: true, durationMs: 1, url: 'http://127.0.0.1:8787/workspaces', status: 401, message: 'refused without a token, as it should' },
      ];
      for (const step of steps) onStep(step);
      return { ok: true, steps };
    },
  };
}

/** Runs a plan's changes through the executor into an event stream, the way run-changes.ts does. */
async function streamRun(
  changes: Parameters<typeof execute>[0],
  desired: DesiredState,
  runtime: Runtime,
  options: { controller?: AbortController; afterExecute?: (stream: EventStream) => Promise<void> } = {},
): Promise<string> {
  let out = '';
  const stream = new EventStream((text) => void (out += text));
  stream.planned({ project: desired.project, changes, conflicts: [], summary: { create: 0, update: 0, replace: 0, delete: 0, start: 0, noop: 0 } });
  const signal = (options.controller ?? new AbortController()).signal;
  const result = await execute(changes, desired, runtime, { parallelism: 1, signal, onEvent: stream.onEvent });
  await options.afterExecute?.(stream);
  stream.summary(result, exitCodeOf(result));
  return out;
}

async function eventStreams(): Promise<string[]> {
  const alice = desiredSandbox('alice');
  const port = (n: number) => [{ host: 8787 + n, guest: 8787, bind: '127.0.0.1', protocol: 'tcp' as const }];
  const [bob, carol, dave] = [desiredSandbox('bob', { ports: port(1) }), desiredSandbox('carol', { ports: port(2) }), desiredSandbox('dave', { ports: port(3) })];
  const streams: string[] = [];

  // create (ok, verified), create (fails at a step), update (fails with an owctl error and hint), start (verification fails)
  const desired = desiredState([alice, bob, { ...carol, env: { ...carol.env, LOG_LEVEL: 'debug' } }, dave]);
  const observed: ObservedState = observedState([observedFrom('demo', carol), observedFrom('demo', dave, { status: 'Stopped' })]);
  const applied = plan(desired, observed);
  // … and the outputs of the one that succeeded, as apply emits them before the summary (one without an address too)
  const outputs = async (stream: EventStream) =>
    stream.emit({ type: 'outputs', outputs: [sandboxOutput(alice, { url: 'http://127.0.0.1:8787', headers: {} }), sandboxOutput(bob, null)] });
  streams.push(await streamRun(applied.changes, desired, fakeRuntime({ fail: { bob: 'create', carol: 'modify' }, failVerify: ['dave'] }), { afterExecute: outputs }));

  // interrupted after the first change: the rest are skipped
  const both = desiredState([alice, bob]);
  const controller = new AbortController();
  streams.push(await streamRun(plan(both, observedState([])).changes, both, fakeRuntime({ onVerify: () => controller.abort() }), { controller }));

  // interrupted while the first change's create runs: it finishes that step and stops (change_interrupted)
  const cut = new AbortController();
  streams.push(await streamRun(plan(both, observedState([])).changes, both, fakeRuntime({ onCreate: () => cut.abort() }), { controller: cut }));

  // a failure before any change (here: the lock is held): an error event with the stable code, then the summary
  let failed = '';
  const failing = new EventStream((text) => void (failed += text));
  await failing
    .closeOnError(async () => {
      throw new OwctlError('lock.held', 'project "demo" is locked by pid 1', { hint: 'pass --lock-timeout 5m', details: { holder: { pid: 1 } } });
    })
    .catch(() => undefined);
  streams.push(failed);

  // destroy --purge: one folder removed, one kept
  const project = await mkdtemp(join(tmpdir(), 'owctl-events-'));
  try {
    const inside = join(project, '.owctl', 'alice', 'workspace');
    await mkdir(inside, { recursive: true });
    const live = observedState([observedFrom('demo', { ...alice, mounts: [{ type: 'bind', source: inside, target: '/workspace', readonly: false }] }), observedFrom('demo', bob)]);
    const owned = { ...desiredState([]), dir: project };
    const purge = async (stream: EventStream) => {
      const items = await planPurge([{ name: 'alice', sources: [inside, '/srv/elsewhere/data'] }], [], project, await createdEntries('alice', [inside]));
      for (const item of items) stream.emit({ type: 'planned_purge', path: item.path, delete: item.delete, kind: item.kind, reason: item.reason ?? null });
      for (const outcome of await carryOutPurge(items, project)) {
        stream.emit({ type: 'purge', path: outcome.path, removed: outcome.removed, reason: outcome.reason ?? null });
      }
    };
    streams.push(await streamRun(destroyPlan(owned, live, { includeProtected: false }).changes, owned, fakeRuntime(), { afterExecute: purge }));
  } finally {
    await rm(project, { recursive: true, force: true });
  }

  // nothing to do: version, then summary
  let quiet = '';
  const stream = new EventStream((text) => void (quiet += text));
  stream.planned(plan(desiredState([alice]), observedState([observedFrom('demo', alice)])));
  stream.summary(null, 0);
  streams.push(quiet);
  return streams;
}

describe('schemas/plan.schema.json', () => {
  const validate = compile('plan.schema.json');

  for (const name of readdirSync(PLAN_CASES).sort()) {
    it(`accepts the ${name} golden document`, async () => {
      assertValid(validate, JSON.parse(await readFile(join(PLAN_CASES, name, 'plan.json'), 'utf8')), name);
    });
  }

  it('accepts a freshly rendered document (not only the checked-in goldens)', () => {
    const alice = desiredSandbox('alice');
    const desired = desiredState([{ ...alice, tokens: { ...alice.tokens, client: `${CLIENT_TOKEN}-rotated` } }, desiredSandbox('bob', { ports: [{ host: 8788, guest: 8787, bind: '127.0.0.1', protocol: 'tcp' }] })]);
    const document = JSON.parse(renderPlanJson(planDocument(plan(desired, observedState([observedFrom('demo', alice)])), 'openwork.yaml')));
    assertValid(validate, document, 'token rotation plan');
    assert.ok(document.changes.some((c: { action: string }) => c.action === 'replace'));
  });

  it('rejects a secret value in a sensitive field, another major version, and unknown actions', async () => {
    const document = JSON.parse(await readFile(join(PLAN_CASES, 'empty-to-create', 'plan.json'), 'utf8'));
    const token = structuredClone(document);
    token.changes[0].fields.find((f: { sensitive: boolean }) => f.sensitive).after = HOST_TOKEN;
    assert.equal(validate(token), false);
    assert.equal(validate({ ...document, format_version: '2.0' }), false);
    const action = structuredClone(document);
    action.changes[0].action = 'recreate';
    assert.equal(validate(action), false);
    const { has_changes: _, ...missing } = document;
    assert.equal(validate(missing), false);
  });
});

describe('schemas/events.schema.json', () => {
  const validate = compile('events.schema.json');

  it('has one branch per event type', () => {
    const schema = JSON.parse(readFileSync(join(ROOT, 'schemas', 'events.schema.json'), 'utf8'));
    const types = (schema.oneOf as { $ref: string }[]).map((branch) => schema.$defs[branch.$ref.replace('#/$defs/', '')].properties.type.const);
    assert.deepEqual([...types].sort(), [...EVENT_TYPES].sort());
  });

  it('accepts every line of real apply and destroy streams, which cover every event type', async () => {
    const seen = new Set<string>();
    for (const text of await eventStreams()) {
      const events = text.trimEnd().split('\n').map((line) => JSON.parse(line) as { type: string });
      assert.equal(events[0]?.type, 'version', 'the first line states the version');
      assert.equal(events.at(-1)?.type, 'summary', 'the last line is the summary');
      for (const event of events) {
        assertValid(validate, event, event.type);
        seen.add(event.type);
      }
      for (const secret of [CLIENT_TOKEN, HOST_TOKEN]) assert.ok(!text.includes(secret));
    }
    assert.deepEqual([...seen].sort(), [...EVENT_TYPES].sort());
  });

  it('accepts what the executor can emit for every ApplyEvent shape, optional fields absent', () => {
    const now = new Date().toISOString();
    // Every step name the executor has (src/apply/events.ts; a Record, so the compiler says when one is added).
    const every: Record<StepName, true> = {
      'check-image': true, 'load-image': true, 'pull-image': true, 'stop-server': true, remove: true, 'prepare-mounts': true, 'check-ports': true, create: true,
      modify: true, start: true, 'launch-server': true, verify: true, 'verify-existing': true, 'confirm-new': true, 'remove-new': true, 'remove-old': true, 'remove-duplicate': true,
    };
    const steps = Object.keys(every) as StepName[];
    const events: ApplyEvent[] = [
      ...steps.map((step): ApplyEvent => ({ type: 'step_start', sandbox: 'a', step })),
      { type: 'step_finish', sandbox: 'a', step: 'create', ok: true, duration_ms: 0 },
      { type: 'change_failed', sandbox: 'a', action: 'create', duration_ms: 1, step: 'plan', code: 'apply.failed', message: '"a" is not declared in the file' },
    ];
    for (const event of events) assertValid(validate, { ...event, timestamp: now }, event.type);
  });

  it('rejects lines without a timestamp, of an unknown type, or missing a field', () => {
    const timestamp = new Date().toISOString();
    assert.equal(validate({ type: 'version', format_version: '1.0', tool: 'owctl' }), false);
    assert.equal(validate({ type: 'progress', timestamp }), false);
    assert.equal(validate({ type: 'planned_change', sandbox: 'a', action: 'create', reason: 'will be created', timestamp }), false);
    assert.equal(validate({ type: 'summary', succeeded: 1, failed: 0, skipped: 0, interrupted: false, exit_code: 0, timestamp: 'yesterday' }), false);
  });
});
