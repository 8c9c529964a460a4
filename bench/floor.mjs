// The floor of `owctl plan`: only the msb calls a plan needs, spawned with node's own child_process — one
// `msb ls --format json --label owctl.dev/project=P`, then one `msb inspect NAME --format json` per listed sandbox,
// at most PARALLELISM at a time (owctl's DEFAULT_PARALLELISM). Plain JS with no imports beyond node built-ins, so
// nothing but msb is measured. Timed inside this process (node's own startup is measured apart, as `node -e 0`).
//
//   MSB_HOME=… node bench/floor.mjs MSB PROJECT PARALLELISM RUNS WARMUPS [--with-context-and-image REF]
//   → one JSON line: {"runs_ms":[…],"cpu_ms":[…],"sandboxes":N}   (cpu_ms: this process only, msb excluded)
import { execFile } from 'node:child_process';

const [msb, project, parallelismText, runsText, warmupsText, flag, imageRef] = process.argv.slice(2);
const parallelism = Number(parallelismText);
const runs = Number(runsText);
const warmups = Number(warmupsText);
const full = flag === '--with-context-and-image';
const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', MSB_HOME: process.env.MSB_HOME ?? '', NO_COLOR: '1' };

// msb 0.6.18 very rarely hangs on a call (spinning, no output; see BENCHMARKS.md): such a call is killed after
// HANG_MS and made again, and reported on stderr, so one hang cannot stall a whole benchmark run.
const HANG_MS = 30_000;

function msbCall(args, retried = false) {
  return new Promise((resolve, reject) => {
    execFile(msb, args, { env, maxBuffer: 64 * 1024 * 1024, timeout: HANG_MS }, (error, stdout) => {
      if (error?.killed && !retried) {
        process.stderr.write(`floor: msb ${args.join(' ')} hung for ${HANG_MS} ms; made again\n`);
        resolve(msbCall(args, true));
      } else if (error) reject(error);
      else resolve(stdout);
    });
  });
}

async function limited(items, limit, fn) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}

async function once() {
  // With the flag: also the two calls owctl adds (`context` first, `image inspect` in the same pool), for reference.
  if (full) JSON.parse(await msbCall(['context', '--format', 'json']));
  const listed = JSON.parse(await msbCall(['ls', '--format', 'json', `--label=owctl.dev/project=${project}`]));
  const tasks = listed.map((row) => ['inspect', row.name, '--format', 'json']);
  if (full) tasks.push(['image', 'inspect', imageRef, '--format', 'json']);
  await limited(tasks, parallelism, async (args) => JSON.parse(await msbCall(args)));
  return listed.length;
}

let sandboxes = 0;
for (let i = 0; i < warmups; i++) sandboxes = await once(); // page cache, SQLite; not counted
const times = [];
const cpu = [];
for (let i = 0; i < runs; i++) {
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  sandboxes = await once();
  times.push(Number(process.hrtime.bigint() - start) / 1e6);
  const used = process.cpuUsage(cpuStart);
  cpu.push((used.user + used.system) / 1000);
}
process.stdout.write(`${JSON.stringify({ runs_ms: times, cpu_ms: cpu, sandboxes })}\n`);
