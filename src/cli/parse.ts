import { InvalidArgumentError } from 'commander';
import { parseDuration } from '../config/units.ts';
import type { PlanFormat } from '../commands/plan.ts';
import { OwctlError } from '../errors.ts';

export function parseParallelism(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new InvalidArgumentError('expected a whole number from 1 to 64');
  return n;
}

/** A duration in msb's grammar (`90s`, `5m`, `1h`, bare seconds) → seconds. */
export function parseTimeout(value: string): number {
  const seconds = parseDuration(value);
  if (seconds === undefined) throw new InvalidArgumentError('expected a duration like 30s, 5m or 1h');
  return seconds;
}

export function parseLockTimeout(value: string): number {
  return parseTimeout(value) * 1000;
}

export function parseCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number');
  return n;
}

/** `--json` is `--format json`; both given with different formats is refused rather than guessed. */
export function planFormat(flags: { json?: boolean; format?: PlanFormat }): PlanFormat {
  if (flags.json === true && flags.format !== undefined && flags.format !== 'json') {
    throw new OwctlError('usage', `--json and --format ${flags.format} ask for different outputs`, { hint: 'give one of them' });
  }
  return flags.json === true ? 'json' : (flags.format ?? 'human');
}
