/**
 * The driver's answers to msb 0.7's lifecycle: a stop that escalates within a bound, and a create whose record msb
 * lost under concurrency. Scripted spawners make each msb answer deterministic (the real race is exercised in
 * test/integration/msb-versions.test.ts).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OwctlError } from '../../src/errors.ts';
import { CREATE_ATTEMPTS, Msb, STOP_GRACE_SECS } from '../../src/msb/driver.ts';
import { msbBackend } from '../../src/msb/backend.ts';
import type { LiveObserver } from '../../src/msb/live-observer.ts';
import type { SpawnRequest, SpawnResult, Spawner } from '../../src/msb/run.ts';
import { desired } from './desired.ts';

const ok: SpawnResult = { exitCode: 0, stdout: '', stderr: '', timedOut: false };
const fail = (stderr: string): SpawnResult => ({ exitCode: 1, stdout: '', stderr, timedOut: false });
const LOST = 'error: failed to start "a"\n  → config: insert run: Query Error: error returned from database: (code: 787) FOREIGN KEY constraint failed\n  → run `msb logs --source system a` for full diagnostics\n';
const INSPECT_A = JSON.stringify({ name: 'a', status: 'Stopped', config: { image: { Oci: { reference: 'x:1' } }, pull_policy: 'Never', resources: { cpus: 1, memory_mib: 256 } } });

/** Answers each call with `answer(argv)`, recording argv and the timeout it was given. */
function scripted(answer: (args: string[]) => SpawnResult): Spawner & { calls: SpawnRequest[] } {
  const calls: SpawnRequest[] = [];
  return {
    calls,
    run: async (request) => {
      calls.push(request);
      return answer(request.args);
    },
    stream: () => assert.fail('no stream'),
  };
}

const argv = (spawner: { calls: SpawnRequest[] }) => spawner.calls.map((c) => c.args.filter((a) => !a.startsWith('/')).join(' '));

describe('stop escalates within a bound', () => {
  it('a graceful stop that succeeds is one call, bounded by its grace period', async () => {
    const spawner = scripted(() => ok);
    await new Msb('/msb', {}, { spawner }).stop('a');
    assert.deepEqual(argv(spawner), [`stop -t ${STOP_GRACE_SECS} a`]);
    assert.ok(spawner.calls[0]!.timeoutMs <= (STOP_GRACE_SECS + 15) * 1000);
  });

  it('a graceful stop that fails without killing (msb 0.7) or does not answer is forced', async () => {
    for (const first of [fail('error: runtime error: graceful stop timed out: no kill was requested\n'), { ...ok, exitCode: undefined, timedOut: true }]) {
      const spawner = scripted((args) => (args.includes('-t') ? first : ok));
      await new Msb('/msb', {}, { spawner }).stop('a', { graceSecs: 3 });
      assert.deepEqual(argv(spawner), ['stop -t 3 a', 'stop --force a']);
    }
  });

  it('a missing sandbox is not forced', async () => {
    const spawner = scripted(() => fail('error: sandbox not found: a\n'));
    await assert.rejects(new Msb('/msb', {}, { spawner }).stop('a'), (e: unknown) => e instanceof OwctlError && e.code === 'msb.sandbox_not_found');
    assert.equal(spawner.calls.length, 1);
  });

  it('apply\'s remove falls back to the bounded stop when rm --force fails, and only then', async () => {
    let removals = 0;
    const spawner = scripted((args) => (args[0] === 'rm' && (removals += 1) === 1 ? fail('error: runtime error: no kill was requested\n') : ok));
    // The failed rm left the sandbox there (inspect finds it); rm exits 0 the second time and inspect then says it is gone.
    const gone = (args: string[]) => (args[0] === 'inspect' ? (removals >= 2 ? fail('error: sandbox not found: a\n') : { ...ok, stdout: INSPECT_A }) : null);
    const spawnerGone = scripted((args) => gone(args) ?? (args[0] === 'rm' && (removals += 1) === 1 ? fail('error: runtime error: no kill was requested\n') : ok));
    const backend = (s: Spawner) => msbBackend({ msb: new Msb('/msb', {}, { spawner: s }) } as unknown as LiveObserver, { secrets: [] });
    await backend(spawnerGone).remove('a');
    assert.deepEqual(argv(spawnerGone), ['rm --force a', 'inspect a --format json', `stop -t ${STOP_GRACE_SECS} a`, 'rm --force a', 'inspect a --format json']);
    const quiet = scripted((args) => gone(args) ?? ok);
    await backend(quiet).remove('a');
    assert.deepEqual(argv(quiet), ['rm --force a', 'inspect a --format json']);
    assert.equal(spawner.calls.length, 0);
  });
});

describe('a create whose record msb lost is created again', () => {
  /** Creates that fail `failures` times with `stderr`, leaving no record (inspect: not found), then succeed. */
  const lostThenOk = (stderr: string, failures: number) => {
    let creates = 0;
    return scripted((args) => (args[0] === 'create' ? ((creates += 1) <= failures ? fail(stderr) : ok) : fail('error: sandbox not found: a\n')));
  };
  const steps = (spawner: { calls: SpawnRequest[] }) => argv(spawner).map((a) => a.split(' ').slice(0, 3).join(' '));

  it('classifies the FOREIGN KEY failure as msb.lost_record, and retries while the name stays free', async () => {
    const spawner = lostThenOk(LOST, 2);
    await new Msb('/msb', {}, { spawner }).create(desired('a'), {});
    assert.deepEqual(steps(spawner), ['create --quiet --name', 'inspect a --format', 'create --quiet --replace', 'inspect a --format', 'create --quiet --replace']);
  });

  it('gives up after a bound, with its own code and a hint', async () => {
    const spawner = scripted((args) => (args[0] === 'create' ? fail(LOST) : fail('error: sandbox not found: a\n')));
    await assert.rejects(new Msb('/msb', {}, { spawner }).create(desired('a'), {}), (e: unknown) => {
      assert.ok(e instanceof OwctlError && e.code === 'msb.lost_record', String(e));
      assert.match(e.hint ?? '', /--parallelism/);
      return true;
    });
    assert.equal(spawner.calls.filter((c) => c.args[0] === 'create').length, CREATE_ATTEMPTS);
  });

  // Seen under load (four CPU-bound processes beside 24 creates, 8 at once: 3 runs in ~110): msb 0.7.2 answered an
  // ordinary failed boot, exit 1 with `failed to start "p14"` and `→ mount: mount ff_…: Invalid argument (os error 22)`,
  // no FOREIGN KEY line, and afterwards had no record of p14.
  const FAILED_BOOT = 'error: failed to start "a"\n  → mount: mount ff_39803545: Invalid argument (os error 22)\n  → run `msb logs --source system a` for full diagnostics\n';

  it('an ordinary failed start whose record is gone is a lost record too: created again', async () => {
    const spawner = lostThenOk(FAILED_BOOT, 1);
    await new Msb('/msb', {}, { spawner }).create(desired('a'), {});
    assert.deepEqual(steps(spawner), ['create --quiet --name', 'inspect a --format', 'create --quiet --replace']);
  });

  it('an ordinary failed start whose record msb kept is reported as msb said it, after one look', async () => {
    const spawner = scripted((args) => (args[0] === 'create' ? fail(FAILED_BOOT) : { ...ok, stdout: INSPECT_A }));
    await assert.rejects(new Msb('/msb', {}, { spawner }).create(desired('a'), {}), (e: unknown) => e instanceof OwctlError && e.code === 'msb.start_failed' && /failed to start "a"/.test(e.message));
    assert.deepEqual(argv(spawner).map((a) => a.split(' ')[0]), ['create', 'inspect']);
  });

  it('a failed start that never leaves a record ends, after the bound, as msb\'s own failure', async () => {
    const spawner = scripted((args) => (args[0] === 'create' ? fail(FAILED_BOOT) : fail('error: sandbox not found: a\n')));
    await assert.rejects(new Msb('/msb', {}, { spawner }).create(desired('a'), {}), (e: unknown) => e instanceof OwctlError && e.code === 'msb.start_failed' && /failed to start "a"/.test(e.message));
    assert.equal(spawner.calls.filter((c) => c.args[0] === 'create').length, CREATE_ATTEMPTS);
  });

  it('a create that met another msb writing the database at once is looked for, and created again', async () => {
    const DATABASE = 'error: database error: Query Error: error returned from database: (code: 26) file is not a database\n';
    const spawner = lostThenOk(DATABASE, 1);
    await new Msb('/msb', {}, { spawner }).create(desired('a'), {});
    assert.deepEqual(steps(spawner), ['create --quiet --name', 'inspect a --format', 'create --quiet --replace']);
    const kept = scripted((args) => (args[0] === 'create' ? fail(DATABASE) : { ...ok, stdout: INSPECT_A }));
    await assert.rejects(new Msb('/msb', {}, { spawner: kept }).create(desired('a'), {}), (e: unknown) => e instanceof OwctlError && e.code === 'msb.start_failed' && /recorded but not started/.test(e.message));
  });

  it('when msb kept the record after all, it is a failed start, not retried', async () => {
    const spawner = scripted((args) => (args[0] === 'create' ? fail(LOST) : { ...ok, stdout: INSPECT_A }));
    await assert.rejects(new Msb('/msb', {}, { spawner }).create(desired('a'), {}), (e: unknown) => e instanceof OwctlError && e.code === 'msb.start_failed');
    assert.equal(spawner.calls.filter((c) => c.args[0] === 'create').length, 1);
  });
});
