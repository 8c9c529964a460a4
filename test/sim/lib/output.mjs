// How msb prints: JSON (keys sorted, 2-space indent) on stdout, progress lines (`   ✓ Removed      NAME`) and
// tables like its own.

export function printJson(value, { sort = true } = {}) {
  process.stdout.write(`${JSON.stringify(sort ? sortKeys(value) : value, null, 2)}\n`);
}

export function sortKeys(value) {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortKeys(value[key])]),
  );
}

export function success(label, target, quiet = false) {
  if (!quiet) process.stderr.write(`   ✓ ${label.padEnd(13)}${target}\n`);
}

export function failure(label, target, quiet = false) {
  if (!quiet) process.stderr.write(`   ✗ ${label.padEnd(13)}${target}\n`);
}

/** Columns separated by at least four spaces, like msb's tables. */
export function table(headers, rows) {
  const widths = headers.map((header, i) => Math.max(header.length, ...rows.map((row) => String(row[i]).length)));
  const line = (cells) => cells.map((cell, i) => (i === cells.length - 1 ? String(cell) : String(cell).padEnd(widths[i] + 4))).join('');
  process.stdout.write(`${[line(headers), ...rows.map(line)].join('\n')}\n`);
}

/** `2026-01-01 12:00:00` from an RFC 3339 timestamp. */
export function shortTime(iso) {
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

/** `--help` of a subcommand: its usage line (the simulator keeps no copy of msb's full help texts). */
export function usage(spec) {
  process.stdout.write(`Usage: ${spec.usage}\n\n(owctl msb simulator: see test/sim/README.md for the options it implements)\n`);
  return 0;
}
