/**
 * Renewal is not durable on the real server: after a restart `expiresAt` falls back to created + the first timeout,
 * while owctl's metadata still says the longer max_duration. The live expiresAt is what the server will act on, so a
 * shorter one is drift, and apply renews it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { observedOf } from '../../src/opensandbox/metadata.ts';
import { Project } from './project.ts';

const wire = (createdAt: string, expiresAt: string | undefined, max: string) => ({
  id: 'id-1',
  status: { state: 'Running' },
  createdAt,
  ...(expiresAt === undefined ? {} : { expiresAt }),
  metadata: { 'owctl.dev/name': 'alice', 'owctl.dev/max-duration': max },
});

describe('opensandbox expiry read back', () => {
  it('the live expiresAt, not the metadata, gives max_duration when it is shorter (a renewal lost on restart)', () => {
    const lost = observedOf(wire('2026-12-06T10:00:00.076Z', '2026-12-06T12:00:00.000Z', '14400'));
    assert.equal(lost.maxDurationSecs, 7200);
  });

  it('the metadata stands when expiresAt agrees within the server\'s clock skew, or is later (renew-on-access)', () => {
    assert.equal(observedOf(wire('2026-12-06T10:00:00.076Z', '2026-12-06T14:00:00.000Z', '14400')).maxDurationSecs, 14400);
    assert.equal(observedOf(wire('2026-12-06T10:00:00.000Z', '2026-12-06T18:00:00.000Z', '14400')).maxDurationSecs, 14400);
  });
});

describe('opensandbox: a renewal the server lost on restart', { timeout: 120_000 }, () => {
  let p: Project;
  before(async () => {
    p = await Project.start();
  });
  after(async () => {
    await p?.close();
  });

  it('plan shows the drift and apply renews the sandbox to created + max_duration (same sandbox)', async () => {
    await p.write([{ name: 'alice', maxDuration: '2h' }]);
    assert.equal((await p.owctl(['apply', '--auto-approve'])).code, 0);
    await p.write([{ name: 'alice', maxDuration: '4h' }]);
    assert.equal((await p.owctl(['apply', '--auto-approve'])).code, 0);
    const [box] = p.standin.sandboxes();
    assert.equal(Date.parse(box!.expiresAt!) - Date.parse(box!.createdAt), 4 * 3600_000);
    p.standin.restart();
    const plan = await p.owctl(['plan', '--detailed-exitcode']);
    assert.equal(plan.code, 2, plan.stdout + plan.stderr);
    assert.match(plan.stdout, /max_duration/);
    const applied = await p.owctl(['apply', '--auto-approve']);
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    const [after] = p.standin.sandboxes();
    assert.deepEqual([after!.id, Date.parse(after!.expiresAt!) - Date.parse(after!.createdAt)], [box!.id, 4 * 3600_000]);
    assert.equal((await p.owctl(['plan', '--detailed-exitcode'])).code, 0);
  });
});

describe('opensandbox: max_duration above the server\'s max_sandbox_timeout_seconds', { timeout: 60_000 }, () => {
  it('create refused with 400 SANDBOX::INVALID_PARAMETER: the error gives the limit and names max_duration; nothing is created', async () => {
    const p = await Project.start({ maxTimeoutSecs: 86_400 });
    try {
      await p.write([{ name: 'alice', maxDuration: '48h' }]);
      const applied = await p.owctl(['apply', '--auto-approve']);
      const text = applied.stdout + applied.stderr;
      assert.equal(applied.code, 1, text);
      assert.match(text, /exceeds configured maximum of 86400s/);
      assert.match(text, /hint: max_duration \(172800 s\) is sent as the sandbox's timeout, which the server caps at its max_sandbox_timeout_seconds/);
      assert.deepEqual(p.standin.sandboxes(), []);
    } finally {
      await p.close();
    }
  });
});
