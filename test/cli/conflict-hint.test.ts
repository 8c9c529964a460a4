/** A declared name held by someone else: the hint offers every way out that applies, `owctl import` first for an unlabelled sandbox. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { conflictError } from '../../src/commands/plan.ts';
import type { Plan } from '../../src/model/plan.ts';

const planWith = (conflicts: Plan['conflicts']): Plan => ({ project: 'demo', changes: [], conflicts, summary: { create: 0, update: 0, replace: 0, delete: 0, start: 0, noop: 0 } });

describe('conflict hint', () => {
  it('an unlabelled sandbox can be adopted: owctl import names it, msb rm stays the last resort', () => {
    const { hint } = conflictError(planWith([{ sandbox: 'taken', owner: null, message: 'the name "taken" is held by a sandbox not managed by owctl' }]));
    assert.match(hint!, /`owctl import taken`/);
    assert.match(hint!, /`msb rm --force taken`/);
    assert.ok(hint!.indexOf('owctl import') < hint!.indexOf('msb rm'));
  });

  it('a sandbox of another owctl project is never imported: the hint does not offer it', () => {
    const { hint } = conflictError(planWith([{ sandbox: 'bob', owner: 'elsewhere', message: 'held by project "elsewhere"' }]));
    assert.doesNotMatch(hint!, /owctl import/);
    assert.match(hint!, /rename bob in the file/);
  });
});
