/**
 * msb's grammar for sizes and durations (microsandbox 0.6.18), converted to owctl's units. The schema holds the
 * same patterns so editors flag bad values; test/config/units.test.ts keeps the two in step.
 */
const SIZE_GIB = /^([0-9]+(?:\.[0-9]+)?)[Gg]$/;
const SIZE_MIB = /^([0-9]+)[Mm]?$/;
const DURATION = /^([0-9]+)([smh]?)$/;
const SECONDS = { '': 1, s: 1, m: 60, h: 3600 } as const;

/** A size in MiB: a bare number is MiB, `M` is MiB, `G` is GiB and may be a decimal (`1.5G`, truncated like msb). */
export function parseSize(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  const gib = SIZE_GIB.exec(value);
  if (gib) return Math.floor(Number(gib[1]) * 1024);
  const mib = SIZE_MIB.exec(value);
  return mib ? Number(mib[1]) : undefined;
}

/** A duration in seconds: an integer with `s`, `m` or `h`, or bare seconds. `1d`, `1h30m` and `500ms` are not durations. */
export function parseDuration(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  const match = DURATION.exec(value);
  if (!match) return undefined;
  return Number(match[1]) * SECONDS[match[2] as keyof typeof SECONDS];
}
