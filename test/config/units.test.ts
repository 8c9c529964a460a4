import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { schema, deref } from '../../src/config/schema.ts';
import { parseDuration, parseSize } from '../../src/config/units.ts';
import { formatDuration } from '../../src/model/units.ts';

const SIZES: Array<[string | number, number | undefined]> = [
  [512, 512],
  ['512', 512],
  ['512M', 512],
  ['512m', 512],
  ['2G', 2048],
  ['2g', 2048],
  ['1.5G', 1536],
  ['0.5G', 512],
  ['1.7G', 1740],
  ['1.5M', undefined],
  ['1.5', undefined],
  ['512K', undefined],
  ['1T', undefined],
  ['2GiB', undefined],
  ['2 G', undefined],
  ['-1G', undefined],
  ['G', undefined],
  ['', undefined],
  ['2X', undefined],
];

const DURATIONS: Array<[string | number, number | undefined]> = [
  [90, 90],
  ['90', 90],
  ['90s', 90],
  ['30m', 1800],
  ['8h', 28800],
  ['1d', undefined],
  ['1h30m', undefined],
  ['500ms', undefined],
  ['1.5h', undefined],
  ['-5s', undefined],
  ['30M', undefined],
  ['', undefined],
];

describe('sizes (msb grammar → MiB)', () => {
  for (const [input, expected] of SIZES) {
    test(`${JSON.stringify(input)} → ${expected}`, () => assert.equal(parseSize(input), expected));
  }
});

describe('durations (msb grammar → seconds)', () => {
  for (const [input, expected] of DURATIONS) {
    test(`${JSON.stringify(input)} → ${expected}`, () => assert.equal(parseDuration(input), expected));
  }
  test('formatDuration picks the shortest exact unit', () => {
    assert.deepEqual([formatDuration(90), formatDuration(1800), formatDuration(7200), formatDuration(3601)], ['90s', '30m', '2h', '3601s']);
  });
});

describe('the schema patterns and the parsers agree', () => {
  const pattern = (name: string): RegExp => new RegExp(deref(schema().root.$defs[name])!.pattern as string, 'u');
  test('size', () => {
    for (const [input, expected] of SIZES) {
      if (typeof input === 'string') assert.equal(pattern('size').test(input), expected !== undefined, input);
    }
  });
  test('duration', () => {
    for (const [input, expected] of DURATIONS) {
      if (typeof input === 'string') assert.equal(pattern('duration').test(input), expected !== undefined, input);
    }
  });
});
