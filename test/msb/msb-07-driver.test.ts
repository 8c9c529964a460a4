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
  it('classifies the FOREIGN KEY failure as msb.lost_record, and retries while the name stays free', async () => {
    let creates = 0;
    const spawner = scripted((args) => {
      if (args[0] === 'create') return (creates += 1) < 3 ? fail(LOST) : ok;
      return fail('error: sandbox not found: a\n');
    });
    await new Msb('/msb', {}, { spawner }).create(desired('a'), {});
    assert.deepEqual(argv(spawner).map((a) => a.split(' ').slice(0, 3).join(' ')), ['create --quiet --name', 'inspect a --format', 'create --quiet --replace', 'inspect a --format', 'create --quiet --replace']);
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

  it('when msb kept the record after all, it is a failed start, not retried', async () => {
    const spawner = scripted((args) => (args[0] === 'create' ? fail(LOST) : { ...ok, stdout: INSPECT_A }));
    await assert.rejects(new Msb('/msb', {}, { spawner }).create(desired('a'), {}), (e: unknown) => e instanceof OwctlError && e.code === 'msb.start_failed');
    assert.equal(spawner.calls.filter((c) => c.args[0] === 'create').length, 1);
  });
});
