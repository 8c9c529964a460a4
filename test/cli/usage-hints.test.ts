/** Every error ends with a `hint:` line, usage errors from the argument parser included. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FakeProject } from './fake-msb.ts';

describe('usage errors', () => {
  let project: FakeProject;
  before(async () => {
    project = await FakeProject.create();
  });
  after(() => project.cleanup());

  const cases: Array<[string, string[], RegExp]> = [
    ['an unknown option', ['plan', '--bogus'], /hint: run `owctl plan --help`/],
    ['an unknown command', ['bogus'], /hint: run `owctl --help`/],
    ['a missing argument', ['logs'], /hint: run `owctl logs --help`/],
    ['a bad option value', ['plan', '--parallelism', '0'], /hint: run `owctl plan --help`/],
    ['a bad duration', ['verify', '--timeout', 'soon'], /hint: run `owctl verify --help`/],
  ];
  for (const [what, args, hint] of cases) {
    it(`${what}: exit 1, the error, then a hint line`, async () => {
      const result = await project.owctl(args);
      assert.equal(result.code, 1);
      assert.match(result.stderr, /^error: /m);
      assert.match(result.stderr, hint);
      assert.match(result.stderr.trimEnd().split('\n').at(-1)!, /^hint: /);
    });
  }
});
