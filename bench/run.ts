/**
 * `npm run bench`: what `owctl plan` costs, through each observe channel, for 10, 50, 200 and 1,000 managed
 * sandboxes in a real msb 0.6.18 MSB_HOME (see populate.ts). In one run, as medians of RUNS interleaved rounds:
 *   (a) `node bin/owctl.js -f FILE plan` as a real process (dist/ is built first when missing or older than src/),
 *       twice: through the SDK (the bundled msb, the default) and through the CLI (OWCTL_OBSERVE=cli); and the
 *       peak RSS of each (GNU `/usr/bin/time -f %M`, else bench/rss-wrapper.mjs: process.resourceUsage().maxRSS);
 *   (b) the spawn floor: `msb ls` + one `msb inspect` per sandbox at owctl's parallelism, timed in bench/floor.mjs;
 *   (c) `node -e 0`;
 * and prints Markdown tables with the targets: at 50 sandboxes the SDK plan ≤ 0.35 × the floor and ≤ 200 ms; at
 * 1,000 ≤ 1 s; owctl CPU per extra sandbox ≤ 0.3 ms; peak RSS ≤ 90 MiB at 1,000.
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
const TARGETS = { floorRatioAt50: 0.35, wallAt50Ms: 200, wallAt1000Ms: 1000, cpuPerSandboxMs: 0.3, rssAt1000Mib: 90 };

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '10,50,200,1000' },
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

async function ensureBuilt(withModules: boolean): Promise<string> {
  // The bundle bin/owctl.js runs: built when src/ (or anything it is built from) is newer.
  await checked(process.execPath, [join(ROOT, 'scripts', 'build-if-stale.mjs')], { ...(process.env as Record<string, string>) });
  if (!withModules) return 'dist/ up to date';
  // --phases imports src's modules one by one, as tsc emits them (dist/cli/main.js, …), which `npm run build` no
  // longer writes (it bundles straight from src/): `npm run build:modules` does, for this diagnostic alone.
  const entry = join(ROOT, 'dist', 'cli', 'main.js');
  const why = !existsSync(entry) ? 'missing' : statSync(entry).mtimeMs < newestMtime(join(ROOT, 'src')) ? 'older than src/' : null;
  if (why === null) return 'dist/ up to date';
  process.stderr.write(`dist/cli/main.js is ${why}: npm run build:modules …\n`);
  await checked('npm', ['run', '--silent', 'build:modules'], { ...(process.env as Record<string, string>) });
  return `dist/ modules built by the bench (${why})`;
}

type Channel = 'sdk' | 'cli';

/** The environment of a plan through `channel`: the bundled msb either way (no OWCTL_MSB), the CLI forced for 'cli'. */
function channelEnv(project: BenchProject, channel: Channel): Record<string, string> {
  const { OWCTL_MSB: _, ...env } = project.env;
  return channel === 'cli' ? { ...env, OWCTL_OBSERVE: 'cli' } : env;
}

/**
 * The plan must be what the table claims: N no-ops (or N starts when the sandboxes could not be marked Running),
 * the same through both channels, each really taken (OWCTL_DEBUG=1 names it).
 */
async function checkPlan(project: BenchProject, count: number): Promise<void> {
  const expected = project.status === 'Running' ? 'noop' : 'start';
  for (const channel of ['sdk', 'cli'] as const) {
    const result = await checked(process.execPath, ['bin/owctl.js', '-f', project.file, 'plan', '--json'], { ...channelEnv(project, channel), OWCTL_DEBUG: '1' });
    const summary = (JSON.parse(result.stdout) as { summary: Record<string, number> }).summary;
    if (summary[expected] !== count) throw new Error(`${channel}: expected ${count} × ${expected}, got ${JSON.stringify(summary)}`);
    if (!result.stderr.includes(`observed through the ${channel.toUpperCase()}`)) throw new Error(`${channel}: the plan did not observe through it:\n${result.stderr}`);
  }
}

/** One plan through bench/rss-wrapper.mjs (under /usr/bin/time when used): owctl's own CPU time and peak RSS. */
async function planCpuAndRss(project: BenchProject, channel: Channel): Promise<{ cpuMs: number; msbThreadsCpuMs: number; rssMib: number }> {
  const wrapper = [process.execPath, 'bench/rss-wrapper.mjs', '-f', project.file, 'plan'];
  const env = channelEnv(project, channel);
  const result = rssByTime
    ? await checked('/usr/bin/time', ['-f', 'time_maxrss_kib=%M', ...wrapper], env)
    : await checked(wrapper[0]!, wrapper.slice(1), env);
  const cpu = /cpu_ms=([\d.]+) msb_threads_cpu_ms=(-?[\d.]+) maxrss_kib=(\d+)/.exec(result.stderr);
  const byTime = /time_maxrss_kib=(\d+)\s*$/.exec(result.stderr);
  if (cpu === null || (rssByTime && byTime === null)) throw new Error(`no CPU/RSS figures in:\n${result.stderr}`);
  return { cpuMs: Number(cpu[1]), msbThreadsCpuMs: Number(cpu[2]), rssMib: Number(rssByTime ? byTime![1] : cpu[3]) / 1024 };
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
  planCli: number[];
  floor: number[];
  floorFull: number[];
  node: number[];
  planCpu: number[];
  /** Of planCpu, what msb's native threads spent (the SDK's list); the rest is owctl's own. */
  planMsbCpu: number[];
  planCliCpu: number[];
  floorCpu: number[];
  nodeCpu: number[];
  rss: number[];
  rssCli: number[];
}

/**
 * RUNS rounds after one warm-up round; each round runs every measurement once, back to back, so a change in the
 * machine's load (other work on a shared host) hits all of them alike rather than one column.
 */
async function measure(project: BenchProject): Promise<Samples> {
  const samples: Samples = { plan: [], planCli: [], floor: [], floorFull: [], node: [], planCpu: [], planMsbCpu: [], planCliCpu: [], floorCpu: [], nodeCpu: [], rss: [], rssCli: [] };
  const planArgs = ['bin/owctl.js', '-f', project.file, 'plan'];
  for (let round = 0; round <= runs; round++) {
    const node = (await checked(process.execPath, ['-e', '0'], project.env)).ms;
    const plan = (await checked(process.execPath, planArgs, channelEnv(project, 'sdk'))).ms;
    const planCli = (await checked(process.execPath, planArgs, channelEnv(project, 'cli'))).ms;
    const floor = await floorOnce(project, false);
    const floorFull = await floorOnce(project, true);
    const owctl = await planCpuAndRss(project, 'sdk');
    const owctlCli = await planCpuAndRss(project, 'cli');
    const nodeCpu = Number((await checked(process.execPath, ['-e', NODE_CPU], project.env)).stdout);
    if (round === 0) continue;
    samples.node.push(node);
    samples.plan.push(plan);
    samples.planCli.push(planCli);
    samples.floor.push(floor.ms);
    samples.floorFull.push(floorFull.ms);
    samples.planCpu.push(owctl.cpuMs);
    samples.planMsbCpu.push(owctl.msbThreadsCpuMs);
    samples.planCliCpu.push(owctlCli.cpuMs);
    samples.floorCpu.push(floor.cpuMs);
    samples.nodeCpu.push(nodeCpu);
    samples.rss.push(owctl.rssMib);
    samples.rssCli.push(owctlCli.rssMib);
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

const DEPENDENCIES = ['commander', 'yaml', 'execa', 'ajv/dist/2020.js', 'undici', 'listr2', 'microsandbox'];

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
    '| sandboxes | plan via SDK (ms) | plan via CLI (ms) | spawn floor: msb calls (ms) | node -e 0 (ms) | SDK ÷ floor | CLI over floor + node | peak RSS SDK / CLI (MiB) |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const row of rows) {
    const sdk = median(row.plan);
    const floor = median(row.floor);
    const cliPct = overhead(median(row.planCli), floor + median(row.node));
    lines.push(
      `| ${row.sandboxes} | ${fmt(sdk)} | ${fmt(median(row.planCli))} | ${fmt(floor)} | ${fmt(median(row.node))} | ${(sdk / floor).toFixed(2)}× | ` +
        `${cliPct.toFixed(0)} % | ${Math.max(...row.rss).toFixed(1)} / ${Math.max(...row.rssCli).toFixed(1)} |`,
    );
  }
  return lines.join('\n');
}

function detailTable(rows: Row[]): string {
  const lines = [
    '| sandboxes | SDK plan min–max (ms) | CLI plan min–max (ms) | floor min–max (ms) | floor + `context` + `image inspect` (ms) | CPU: owctl process via SDK (ms) | of it: msb\'s native threads (ms) | CPU: owctl via CLI (ms) | CPU: floor script + node startup (ms) | status | populate (s) |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|',
  ];
  for (const row of rows) {
    lines.push(
      `| ${row.sandboxes} | ${range(row.plan)} | ${range(row.planCli)} | ${range(row.floor)} | ${fmt(median(row.floorFull))} | ` +
        `${fmt(median(row.planCpu))} | ${fmt(median(row.planMsbCpu))} | ${fmt(median(row.planCliCpu))} | ${fmt(median(row.floorCpu))} + ${fmt(median(row.nodeCpu))} | ${row.status} | ${(row.populateMs / 1000).toFixed(1)} |`,
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

/** Each target of the SDK channel with the measured value and the ratio to it (≤ 1 is met). */
function targets(rows: Row[]): string {
  const at = (n: number) => rows.find((r) => r.sandboxes === n);
  const lines = ['| target (SDK channel) | limit | measured | measured ÷ limit | |', '|---|---:|---:|---:|---|'];
  const add = (what: string, limit: number, value: number | undefined, unit: string, digits = 0) => {
    if (value === undefined) return;
    const ratio = value / limit;
    lines.push(`| ${what} | ${limit} ${unit} | ${value.toFixed(digits)} ${unit} | ${ratio.toFixed(2)} | ${ratio <= 1 ? 'met' : 'MISSED'} |`);
  };
  const r50 = at(50);
  if (r50) add('plan at 50 ÷ spawn floor', TARGETS.floorRatioAt50, median(r50.plan) / median(r50.floor), '×', 2);
  if (r50) add('plan at 50, wall', TARGETS.wallAt50Ms, median(r50.plan), 'ms');
  const r1000 = at(1000);
  if (r1000) add('plan at 1,000, wall', TARGETS.wallAt1000Ms, median(r1000.plan), 'ms');
  if (r1000) add('peak RSS at 1,000', TARGETS.rssAt1000Mib, Math.max(...r1000.rss), 'MiB', 1);
  const sorted = [...rows].sort((a, b) => a.sandboxes - b.sandboxes);
  const [low, high] = [sorted[0], sorted[sorted.length - 1]];
  if (low && high && high.sandboxes > low.sandboxes) {
    const extra = high.sandboxes - low.sandboxes;
    const own = (row: Row) => median(row.planCpu.map((cpu, i) => cpu - row.planMsbCpu[i]!));
    if (low.planMsbCpu.every((ms) => ms >= 0) && high.planMsbCpu.every((ms) => ms >= 0)) {
      add(`owctl CPU per extra sandbox (${low.sandboxes} → ${high.sandboxes}; msb's native threads excluded, as the CLI channel excludes msb's processes)`, TARGETS.cpuPerSandboxMs, (own(high) - own(low)) / extra, 'ms', 3);
    }
    add(`owctl process CPU per extra sandbox, msb's native threads included (${low.sandboxes} → ${high.sandboxes})`, TARGETS.cpuPerSandboxMs, (median(high.planCpu) - median(low.planCpu)) / extra, 'ms', 3);
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const build = await ensureBuilt(values.phases === true);
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
      // Each size as it is done, so a long run's finished sizes are never lost.
      process.stderr.write(`${mainTable([row]).split('\n').pop()}\n${detailTable([row]).split('\n').pop()}\n`);
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
      targets(rows),
      '',
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
