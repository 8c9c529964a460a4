/**
 * `npm run bench:startup`: the three start-up ratios, measured side by side in one run (RUNS interleaved rounds
 * after a warm-up round, medians), each against the cheapest program that does the same job:
 *   - `owctl validate` of a valid file ÷ `node -e 0`, and the floor under it (bench/validate-floor.cjs: the same
 *     file read and parsed with js-yaml, loaded as owctl is, and one line printed) ÷ `node -e 0`: what any program
 *     that parses this YAML in Node pays before it checks anything;
 *   - `owctl plan` of 50 sandboxes through the msb CLI (OWCTL_OBSERVE=cli) ÷ the spawn floor as a whole process
 *     (bench/floor.mjs: node's start, `msb ls` and one `msb inspect` per sandbox at owctl's parallelism);
 *   - `owctl plan` of 200 sandboxes through the SDK ÷ a bare script that imports the SDK and lists the project's
 *     sandboxes (bench/sdk-list.mjs).
 *
 *   npm run bench:startup [-- --runs 9]
 */
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { DEFAULT_PARALLELISM } from '../src/commands/snapshot.ts';
import { MSB_BIN } from '../test/helpers/msb-home.ts';
import { makeBenchProject, type BenchProject } from './populate.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const GOALS = { validate: 1.5, cli50: 1.25, sdk200: 1.3 };
const { values } = parseArgs({ options: { runs: { type: 'string', default: '7' } } });
const runs = Number(values.runs);

function timed(args: string[], env: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { env, cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => void (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(Number(process.hrtime.bigint() - start) / 1e6) : reject(new Error(`node ${args.join(' ')} exited ${code}:\n${stderr}`))));
  });
}

function median(list: number[]): number {
  const sorted = [...list].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const withoutMsb = (project: BenchProject) => {
  const { OWCTL_MSB: _, ...env } = project.env;
  return env;
};

const p50 = await makeBenchProject(50, MSB_BIN);
const p200 = await makeBenchProject(200, MSB_BIN);
try {
  const cases = {
    node: () => timed(['-e', '0'], p50.env),
    validate: () => timed(['bin/owctl.js', '-f', p50.file, 'validate'], p50.env),
    floor: () => timed(['bench/validate-floor.cjs', p50.file, p50.root], p50.env),
    cli50: () => timed(['bin/owctl.js', '-f', p50.file, 'plan'], { ...withoutMsb(p50), OWCTL_OBSERVE: 'cli' }),
    floor50: () => timed(['bench/floor.mjs', MSB_BIN, p50.project, String(DEFAULT_PARALLELISM), '1', '0'], p50.env),
    sdk200: () => timed(['bin/owctl.js', '-f', p200.file, 'plan'], withoutMsb(p200)),
    bare200: () => timed(['bench/sdk-list.mjs', p200.project], p200.env),
  };
  const samples = Object.fromEntries(Object.keys(cases).map((key) => [key, [] as number[]])) as Record<keyof typeof cases, number[]>;
  for (let round = 0; round <= runs; round++) {
    for (const [key, run] of Object.entries(cases) as Array<[keyof typeof cases, () => Promise<number>]>) {
      const ms = await run();
      if (round > 0) samples[key].push(ms);
    }
  }
  const m = Object.fromEntries(Object.entries(samples).map(([key, list]) => [key, median(list)])) as Record<keyof typeof cases, number>;
  const row = (what: string, a: number, b: number, goal: number) =>
    `| ${what} | ${a.toFixed(0)} | ${b.toFixed(0)} | ${(a / b).toFixed(2)} × | ≤ ${goal} × | ${a / b <= goal ? 'met' : 'MISSED'} |`;
  process.stdout.write(
    [
      `Start-up ratios, median of ${runs} interleaved rounds (load average at the end: ${loadavg()[0]!.toFixed(2)}; plans observed ${p50.status}):`,
      '',
      '| measured | owctl (ms) | baseline (ms) | ratio | goal | |',
      '|---|---:|---:|---:|---:|---|',
      row('`validate` ÷ `node -e 0`', m.validate, m.node, GOALS.validate),
      `| the floor under it: read and parse the same file with js-yaml, nothing else ÷ \`node -e 0\` | ${m.floor.toFixed(0)} | ${m.node.toFixed(0)} | ${(m.floor / m.node).toFixed(2)} × | | ${m.floor / m.node > GOALS.validate ? 'above the goal by itself' : ''} |`,
      `| \`validate\` ÷ that floor (the checks, owctl's loading and output) | ${m.validate.toFixed(0)} | ${m.floor.toFixed(0)} | ${(m.validate / m.floor).toFixed(2)} × | | |`,
      row('plan at 50 via the msb CLI ÷ spawn floor (node + msb calls)', m.cli50, m.floor50, GOALS.cli50),
      row('plan at 200 via the SDK ÷ bare SDK list script', m.sdk200, m.bare200, GOALS.sdk200),
      '',
    ].join('\n'),
  );
} finally {
  await p50.cleanup();
  await p200.cleanup();
}
