/**
 * `npm run bench`: what `owctl plan` costs over the msb calls it cannot avoid, for 10, 50 and 200 managed sandboxes
 * in a real msb 0.6.18 MSB_HOME (see populate.ts). In one run, as medians of RUNS interleaved rounds, it measures:
 *   (a) `node bin/owctl.js -f FILE plan` as a real process (dist/ is built first when missing or older than src/),
 *       and its peak RSS (GNU `/usr/bin/time -f %M`, else bench/rss-wrapper.mjs: process.resourceUsage().maxRSS);
 *   (b) the floor: `msb ls` + one `msb inspect` per sandbox at owctl's parallelism, timed in bench/floor.mjs;
 *   (c) `node -e 0`;
 * and prints a Markdown table. Target: owctl adds at most 25 % to (b) + (c) at 50 sandboxes.
 * It also reports CPU time of the owctl process alone and of the floor script alone (msb children excluded): on a
 * shared, loaded host wall times swing, CPU time much less.
 *
 *   npm run bench                      # all sizes
 *   npm run bench -- --sizes 50 --runs 9 --rss wrapper
 *   npm run bench -- --phases          # also: where a plan's time goes (bench/phases.mjs, packages.mjs)
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_PARALLELISM } from '../src/commands/snapshot.ts';
import { MSB_BIN } from '../test/helpers/msb-home.ts';
import { BENCH_IMAGE, makeBenchProject, type BenchProject } from './populate.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TARGET_SIZE = 50;
const TARGET_OVERHEAD_PCT = 25;

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '10,50,200' },
    runs: { type: 'string', default: '5' },
    rss: { type: 'string', default: existsSync('/usr/bin/time') ? 'time' : 'wrapper' },
    phases: { type: 'boolean', default: false },
  },
});
const sizes = values.sizes.split(',').map(Number);
const runs = Number(values.runs);
const rssByTime = values.rss === 'time';

interface Exit {
  code: number | null;
  ms: number;
  stdout: string;
  stderr: string;
}

function exec(file: string, args: string[], env: Record<string, string>): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(file, args, { env, cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => void (stdout += chunk));
    child.stderr.on('data', (chunk: Buffer) => void (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, ms: Number(process.hrtime.bigint() - start) / 1e6, stdout, stderr }));
  });
}

async function checked(file: string, args: string[], env: Record<string, string>): Promise<Exit> {
  const result = await exec(file, args, env);
  if (result.code !== 0) throw new Error(`${[file, ...args].join(' ')} exited ${result.code}:\n${result.stderr}`);
  return result;
}

function median(list: number[]): number {
  const sorted = [...list].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

async function ensureBuilt(): Promise<string> {
  const entry = join(ROOT, 'dist', 'cli', 'main.js');
  const why = !existsSync(entry) ? 'missing' : statSync(entry).mtimeMs < newestMtime(join(ROOT, 'src')) ? 'older than src/' : null;
  if (why === null) return 'dist/ up to date';
  process.stderr.write(`dist/ is ${why}: npm run build …\n`);
  await checked('npm', ['run', '--silent', 'build'], { ...(process.env as Record<string, string>) });
  return `dist/ built by the bench (${why})`;
}

/** The plan must be what the table claims: N no-ops (or N starts when the sandboxes could not be marked Running). */
async function checkPlan(project: BenchProject, count: number): Promise<void> {
  const result = await checked(process.execPath, ['bin/owctl.js', '-f', project.file, 'plan', '--json'], project.env);
  const summary = (JSON.parse(result.stdout) as { summary: Record<string, number> }).summary;
  const expected = project.status === 'Running' ? 'noop' : 'start';
  if (summary[expected] !== count) throw new Error(`expected ${count} × ${expected}, got ${JSON.stringify(summary)}`);
}

/** One plan through bench/rss-wrapper.mjs (under /usr/bin/time when used): owctl's own CPU time and peak RSS. */
async function planCpuAndRss(project: BenchProject): Promise<{ cpuMs: number; rssMib: number }> {
  const wrapper = [process.execPath, 'bench/rss-wrapper.mjs', '-f', project.file, 'plan'];
  const result = rssByTime
    ? await checked('/usr/bin/time', ['-f', 'time_maxrss_kib=%M', ...wrapper], project.env)
    : await checked(wrapper[0]!, wrapper.slice(1), project.env);
  const cpu = /cpu_ms=([\d.]+) maxrss_kib=(\d+)/.exec(result.stderr);
  const byTime = /time_maxrss_kib=(\d+)\s*$/.exec(result.stderr);
  if (cpu === null || (rssByTime && byTime === null)) throw new Error(`no CPU/RSS figures in:\n${result.stderr}`);
  return { cpuMs: Number(cpu[1]), rssMib: Number(rssByTime ? byTime![1] : cpu[2]) / 1024 };
}

/** One timed floor run (bench/floor.mjs); `withExtras` adds owctl's `context` and `image inspect` calls. */
async function floorOnce(project: BenchProject, withExtras: boolean): Promise<{ ms: number; cpuMs: number }> {
  const args = ['bench/floor.mjs', MSB_BIN, project.project, String(DEFAULT_PARALLELISM), '1', '0'];
  if (withExtras) args.push('--with-context-and-image', BENCH_IMAGE);
  const parsed = JSON.parse((await checked(process.execPath, args, project.env)).stdout) as { runs_ms: number[]; cpu_ms: number[] };
  return { ms: parsed.runs_ms[0]!, cpuMs: parsed.cpu_ms[0]! };
}

const NODE_CPU = "process.on('exit',()=>{const u=process.resourceUsage();console.log((u.userCPUTime+u.systemCPUTime)/1000)})";

interface Samples {
  plan: number[];
  floor: number[];
  floorFull: number[];
  node: number[];
  planCpu: number[];
  floorCpu: number[];
  nodeCpu: number[];
  rss: number[];
}

/**
 * RUNS rounds after one warm-up round; each round runs every measurement once, back to back, so a change in the
 * machine's load (other work on a shared host) hits all of them alike rather than one column.
 */
async function measure(project: BenchProject): Promise<Samples> {
  const samples: Samples = { plan: [], floor: [], floorFull: [], node: [], planCpu: [], floorCpu: [], nodeCpu: [], rss: [] };
  for (let round = 0; round <= runs; round++) {
    const node = (await checked(process.execPath, ['-e', '0'], project.env)).ms;
    const plan = (await checked(process.execPath, ['bin/owctl.js', '-f', project.file, 'plan'], project.env)).ms;
    const floor = await floorOnce(project, false);
    const floorFull = await floorOnce(project, true);
    const owctl = await planCpuAndRss(project);
    const nodeCpu = Number((await checked(process.execPath, ['-e', NODE_CPU], project.env)).stdout);
    if (round === 0) continue;
    samples.node.push(node);
    samples.plan.push(plan);
    samples.floor.push(floor.ms);
    samples.floorFull.push(floorFull.ms);
    samples.planCpu.push(owctl.cpuMs);
    samples.floorCpu.push(floor.cpuMs);
    samples.nodeCpu.push(nodeCpu);
    samples.rss.push(owctl.rssMib);
  }
  return samples;
}

/** Median of each phase of bench/phases.mjs over RUNS fresh processes (diagnostic: a failed run is reported and skipped). */
async function phases(project: BenchProject): Promise<Record<string, number>> {
  const samples: Record<string, number[]> = {};
  for (let i = 0; i < runs; i++) {
    const result = await exec(process.execPath, ['bench/phases.mjs', project.file, String(DEFAULT_PARALLELISM)], project.env);
    if (result.code !== 0) {
      process.stderr.write(`phases run ${i + 1} failed (skipped):\n${result.stderr.split('\n').slice(0, 6).join('\n')}\n`);
      continue;
    }
    for (const [key, value] of Object.entries(JSON.parse(result.stdout) as Record<string, number>)) (samples[key] ??= []).push(value);
  }
  return Object.fromEntries(Object.entries(samples).map(([key, list]) => [key, median(list)]));
}

/** Packages one real plan loads (bench/packages.mjs), with their file counts. */
async function packagesLoaded(project: BenchProject): Promise<Record<string, number>> {
  const result = await checked(process.execPath, ['bench/packages.mjs', '-f', project.file, 'plan'], project.env);
  return JSON.parse(result.stdout) as Record<string, number>;
}

const DEPENDENCIES = ['commander', 'yaml', 'execa', 'ajv/dist/2020.js', 'undici', 'listr2'];

/** What importing each dependency costs on its own: median over RUNS fresh processes. */
async function importCosts(env: Record<string, string>): Promise<Record<string, number>> {
  const costs: Record<string, number> = {};
  for (const specifier of DEPENDENCIES) {
    const script = `const t = performance.now(); await import(${JSON.stringify(specifier)}); console.log(performance.now() - t);`;
    const samples: number[] = [];
    for (let i = 0; i < runs; i++) samples.push(Number((await checked(process.execPath, ['--input-type=module', '-e', script], env)).stdout));
    costs[specifier] = median(samples);
  }
  return costs;
}

function importTable(costs: Record<string, number>, loaded: Record<string, number>): string {
  const lines = ['| dependency | import on its own (ms, median) | loaded by `owctl plan` (files) |', '|---|---:|---|'];
  for (const [specifier, ms] of Object.entries(costs)) {
    const name = specifier.split('/')[0]!;
    lines.push(`| ${specifier} | ${ms.toFixed(1)} | ${loaded[name] === undefined ? 'no' : `yes (${loaded[name]} file${loaded[name] === 1 ? "" : "s"})`} |`);
  }
  const others = Object.entries(loaded).filter(([name]) => !DEPENDENCIES.some((d) => d.split('/')[0] === name));
  if (others.length > 0) lines.push('', `Also loaded: ${others.map(([name, n]) => `${name} (${n})`).join(', ')}.`);
  return lines.join('\n');
}

interface Row extends Samples {
  sandboxes: number;
  status: string;
  populateMs: number;
  phases?: Record<string, number>;
}

const fmt = (ms: number) => ms.toFixed(0);
const range = (list: number[]) => `${fmt(Math.min(...list))}–${fmt(Math.max(...list))}`;
const overhead = (plan: number, base: number) => ((plan - base) / base) * 100;

function mainTable(rows: Row[]): string {
  const lines = [
    '| sandboxes | owctl plan (ms, median) | floor: msb calls (ms) | node -e 0 (ms) | overhead vs (msb calls + node startup) % | peak RSS (MiB) |',
    '|---:|---:|---:|---:|---:|---:|',
  ];
  for (const row of rows) {
    const pct = overhead(median(row.plan), median(row.floor) + median(row.node));
    lines.push(`| ${row.sandboxes} | ${fmt(median(row.plan))} | ${fmt(median(row.floor))} | ${fmt(median(row.node))} | ${pct.toFixed(0)} % | ${Math.max(...row.rss).toFixed(1)} |`);
  }
  return lines.join('\n');
}

function detailTable(rows: Row[]): string {
  const lines = [
    '| sandboxes | owctl plan min–max (ms) | floor min–max (ms) | floor + `context` + `image inspect` (ms) | overhead vs that + node % | CPU: owctl process (ms) | CPU: floor script + node startup (ms) | status | populate (s) |',
    '|---:|---:|---:|---:|---:|---:|---:|---|---:|',
  ];
  for (const row of rows) {
    const pct = overhead(median(row.plan), median(row.floorFull) + median(row.node));
    lines.push(
      `| ${row.sandboxes} | ${range(row.plan)} | ${range(row.floor)} | ${fmt(median(row.floorFull))} | ${pct.toFixed(0)} % | ` +
        `${fmt(median(row.planCpu))} | ${fmt(median(row.floorCpu))} + ${fmt(median(row.nodeCpu))} | ${row.status} | ${(row.populateMs / 1000).toFixed(1)} |`,
    );
  }
  return lines.join('\n');
}

function phaseTable(rows: Row[]): string {
  const keys = Object.keys(rows[0]?.phases ?? {});
  const lines = [`| phase (ms, median of ${runs}) | ${rows.map((r) => `${r.sandboxes}`).join(' | ')} |`, `|---|${rows.map(() => '---:').join('|')}|`];
  for (const key of keys) lines.push(`| ${key} | ${rows.map((r) => (r.phases?.[key] ?? 0).toFixed(1)).join(' | ')} |`);
  return lines.join('\n');
}

function verdict(rows: Row[]): string {
  const row = rows.find((r) => r.sandboxes === TARGET_SIZE);
  if (row === undefined) return '';
  const pct = overhead(median(row.plan), median(row.floor) + median(row.node));
  return `Target (≤ ${TARGET_OVERHEAD_PCT} % at ${TARGET_SIZE} sandboxes): ${pct <= TARGET_OVERHEAD_PCT ? 'met' : 'MISSED'} (${pct.toFixed(0)} %).`;
}

async function main(): Promise<void> {
  const build = await ensureBuilt();
  const loadBefore = loadavg().map((v) => v.toFixed(2)).join(' ');
  const msbVersion = (await checked(MSB_BIN, ['--version'], { PATH: process.env.PATH ?? '' })).stdout.trim();
  const head = (await exec('git', ['rev-parse', '--short', 'HEAD'], { PATH: process.env.PATH ?? '' })).stdout.trim() || 'unknown';
  const dirty = (await exec('git', ['status', '--porcelain', '--', 'src'], { PATH: process.env.PATH ?? '' })).stdout.trim() === '' ? '' : ' + uncommitted src changes';
  const rows: Row[] = [];
  let imports = '';
  for (const count of sizes) {
    process.stderr.write(`${count} sandboxes: populating … `);
    const project = await makeBenchProject(count, MSB_BIN);
    try {
      process.stderr.write(`${(project.populateMs / 1000).toFixed(1)} s (${project.status}); measuring …\n`);
      await checkPlan(project, count);
      const row: Row = { sandboxes: count, ...(await measure(project)), status: project.status, populateMs: project.populateMs };
      if (values.phases) row.phases = await phases(project);
      if (values.phases && imports === '') imports = importTable(await importCosts(project.env), await packagesLoaded(project));
      rows.push(row);
    } finally {
      await project.cleanup();
    }
  }
  const loadAfter = loadavg().map((v) => v.toFixed(2)).join(' ');
  const rssHow = rssByTime ? '/usr/bin/time -f %M' : 'bench/rss-wrapper.mjs (process.resourceUsage().maxRSS)';
  process.stdout.write(
    [
      `owctl plan benchmark — owctl ${head}${dirty}, ${msbVersion}, node ${process.version}, ${build}.`,
      `Median of ${runs} interleaved rounds after one warm-up round; msb parallelism ${DEFAULT_PARALLELISM} (DEFAULT_PARALLELISM); ` +
        `peak RSS: ${rssHow}, max over the rounds; load average before ${loadBefore}, after ${loadAfter}.`,
      '',
      mainTable(rows),
      '',
      ...(verdict(rows) === '' ? [] : [verdict(rows), '']),
      'Details:',
      '',
      detailTable(rows),
      '',
      ...(values.phases
        ? [
            'Phases of one plan (bench/phases.mjs: dist/ modules, fresh process each time):',
            '',
            phaseTable(rows),
            '',
            'Dependencies (fresh process each; which ones a real plan loads: bench/packages.mjs):',
            '',
            imports,
            '',
          ]
        : []),
    ].join('\n'),
  );
}

await main();
