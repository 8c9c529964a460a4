import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MicrosandboxSdk } from '../../src/msb/sdk-load.ts';
import { guessCursors, projectSandboxes } from '../../src/msb/sdk-observe.ts';

const PROJECT = 'owctl.dev/project';
const b64 = (text: string) => Buffer.from(text).toString('base64');

/**
 * msb 0.6.18's list as the real binary answers it (observe-channels-real-msb.test.ts checks the cursor): rows down
 * the ids, labels matched before paging, the cursor the last row's id in base64 (or whatever `cursorOf` makes of
 * it). Answers after a tick, and counts the lists in flight.
 */
function fakeSdk(rows: Array<{ id: number; project: string }>, cursorOf: (id: number) => string = (id) => b64(String(id))) {
  const byCursor = new Map(rows.map((row) => [cursorOf(row.id), row.id]));
  const calls: Array<{ cursor: string | undefined; limit: number | undefined }> = [];
  let inFlight = 0;
  let most = 0;
  const sdk = {
    Sandbox: {
      async listWith(configure: (l: unknown) => unknown) {
        const query: { cursor?: string; label?: [string, string]; limit?: number } = {};
        const builder = {
          cursor: (c: string) => ((query.cursor = c), builder),
          label: (k: string, v: string) => ((query.label = [k, v]), builder),
          limit: (n: number) => ((query.limit = n), builder),
        };
        configure(builder);
        calls.push({ cursor: query.cursor, limit: query.limit });
        inFlight++;
        most = Math.max(most, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 2));
        inFlight--;
        let below = Infinity;
        if (query.cursor !== undefined) {
          const id = byCursor.get(query.cursor);
          if (id === undefined) throw new Error(`invalid cursor ${query.cursor}`);
          below = id;
        }
        const matching = rows.filter((r) => r.id < below && query.label?.[0] === PROJECT && r.project === query.label[1]).sort((a, b) => b.id - a.id);
        const page = matching.slice(0, query.limit);
        const more = matching.length > page.length;
        return { sandboxes: page.map((r) => ({ name: `${r.project}-${r.id}` })), nextCursor: more ? cursorOf(page.at(-1)!.id) : undefined };
      },
    },
  };
  return { sdk: sdk as unknown as MicrosandboxSdk, calls, most: () => most, inFlight: () => inFlight };
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('listing the project through the SDK', () => {
  it('guesses the next cursors a page apart, or as far apart as the last two', () => {
    assert.deepEqual(guessCursors(b64('901'), undefined, 100, 3), [b64('801'), b64('701'), b64('601')]);
    assert.deepEqual(guessCursors(b64('801'), b64('1001'), 100, 3), [b64('601'), b64('401'), b64('201')]);
    assert.deepEqual(guessCursors(b64('14'), undefined, 5, 8), [b64('9'), b64('4')]);
    // msb's own spelling has no padding: the guesses keep it (and use it when a cursor needs no padding).
    assert.deepEqual(guessCursors(b64('150'), undefined, 100, 8), ['NTA']);
    const unpadded = (text: string) => Buffer.from(text).toString('base64url');
    assert.equal(unpadded('13'), 'MTM');
    assert.deepEqual(guessCursors(unpadded('13'), unpadded('14'), 2, 2), [unpadded('12'), unpadded('11')]);
    // Not a row id: no guess.
    for (const cursor of ['', 'not base64!', b64('0'), b64('012'), b64('12a'), b64('-5'), b64(`${'9'.repeat(16)}`)]) {
      assert.deepEqual(guessCursors(cursor, undefined, 100, 3), [], cursor);
    }
  });

  it('asks for the first pages at once, before any has answered, when the ids run on; returns each sandbox once', async () => {
    const rows = range(1, 1000).map((id) => ({ id, project: 'p' }));
    // Another project's sandboxes, created later: the project's newest row is found first, not assumed.
    rows.push(...range(1001, 1040).map((id) => ({ id, project: 'q' })));
    const fake = fakeSdk(rows, (id) => Buffer.from(String(id)).toString('base64url'));
    let askedAtStart = 0;
    const listed = await projectSandboxes(fake.sdk, 'p', 100, () => (askedAtStart = fake.inFlight()));
    assert.deepEqual(listed.map((h) => h.name), range(1, 1000).reverse().map((id) => `p-${id}`));
    // A one-row list for the newest row, then the first page and the eight after it, all in flight together.
    assert.deepEqual(fake.calls[0], { cursor: undefined, limit: 1 });
    assert.equal(askedAtStart, 9);
    // Every guess was right: each page was listed once; the one list the walk did not use is the empty page below
    // the oldest row.
    assert.equal(fake.calls.length, 12, JSON.stringify(fake.calls));
    assert.equal(new Set(fake.calls.map((c) => `${c.cursor}/${c.limit}`)).size, 12);
    assert.deepEqual(fake.calls.at(-1), { cursor: Buffer.from('1').toString('base64url'), limit: 100 });
  });

  it('calls `started` when the list fails before it could start', async () => {
    let started = false;
    const failing = { Sandbox: { listWith: () => Promise.reject(new Error('database is locked')) } } as unknown as MicrosandboxSdk;
    await assert.rejects(projectSandboxes(failing, 'p', 100, () => (started = true)), /database is locked/);
    assert.equal(started, true);
  });

  it('returns what the plain walk returns when the ids of other projects come in between', async () => {
    const rows = range(1, 900).map((id) => ({ id, project: id % 3 === 0 ? 'p' : 'q' }));
    rows.push(...range(901, 960).map((id) => ({ id, project: 'p' })));
    const fake = fakeSdk(rows);
    const listed = await projectSandboxes(fake.sdk, 'p', 7);
    const expected = rows.filter((r) => r.project === 'p').sort((a, b) => b.id - a.id).map((r) => `p-${r.id}`);
    assert.deepEqual(listed.map((h) => h.name), expected);
  });

  it('makes no guess when the cursor is not a row id, and ignores guesses msb refuses', async () => {
    const opaque = fakeSdk(range(1, 300).map((id) => ({ id, project: 'p' })), (id) => `c${id}`);
    assert.equal((await projectSandboxes(opaque.sdk, 'p')).length, 300);
    assert.equal(opaque.most(), 1);
    // Row ids with gaps: the guessed cursors name rows that are not there, and msb refuses them.
    const gaps = fakeSdk(range(1, 300).map((id) => ({ id: id * 2, project: 'p' })));
    assert.equal((await projectSandboxes(gaps.sdk, 'p')).length, 300);
  });
});
