// Timestamps in msb's format (RFC 3339, nanoseconds, `+00:00`) and a synchronous sleep for lock retries.

export function now() {
  const ms = Date.now();
  const iso = new Date(ms).toISOString(); // 2026-01-01T00:00:00.123Z
  const subMs = String(process.hrtime.bigint() % 1000000n).padStart(6, '0');
  return `${iso.slice(0, 23)}${subMs}+00:00`;
}

/** The `t` field of a log entry: millisecond RFC 3339 in UTC (`…Z`). */
export function logTime(ms = Date.now()) {
  return new Date(ms).toISOString();
}

const cell = new Int32Array(new SharedArrayBuffer(4));

export function sleepSync(ms) {
  Atomics.wait(cell, 0, 0, ms);
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
