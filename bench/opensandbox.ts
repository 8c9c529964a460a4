/**
 * owctl plan and apply of N sandboxes (default 20) on the opensandbox backend, through the test-only OpenSandbox
 * stand-in (test/opensandbox-standin/), whose sandboxes run the OpenWork server fixture behind one shared
 * `opencode serve`. owctl runs in this process (runCli, the binary's code path without Node's start-up), so the
 * numbers are owctl's own work plus the stand-in's HTTP answers on the same machine.
 *
 * Run: node --import tsx bench/opensandbox.ts [N] [PARALLELISM] [ROUNDS]
 */
import { performance } from 'node:perf_hooks';
import { Project } from '../test/opensandbox/project.ts';

const count = Number(process.argv[2] ?? 20);
const parallelism = Number(process.argv[3] ?? 4);
const rounds = Number(process.argv[4] ?? 5);

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function timed(p: Project, args: string[]): Promise<{ ms: number; calls: number; mutating: number }> {
  const start = p.standin.exchanges().length;
  const t0 = performance.now();
  const result = await p.owctl(args);
  const ms = performance.now() - t0;
  if (result.code !== 0 && !(args[0] === 'plan' && result.code === 2)) throw new Error(`owctl ${args.join(' ')} failed (${result.code}):\n${result.stdout.slice(-2000)}\n${result.stderr.slice(-2000)}`);
  const calls = p.standin.exchanges().slice(start);
  return { ms, calls: calls.length, mutating: calls.filter((c) => c.method !== 'GET').length };
}

const p = await Project.start();
try {
  const names = Array.from({ length: count }, (_, i) => ({ name: `sb${String(i).padStart(3, '0')}` }));
  await p.write(names);
  await timed(p, ['validate']); // warm-up: module loading
  const emptyPlans: Array<Awaited<ReturnType<typeof timed>>> = [];
  for (let i = 0; i < rounds; i++) emptyPlans.push(await timed(p, ['plan']));
  const apply = await timed(p, ['apply', '--auto-approve', '--json', '--parallelism', String(parallelism)]);
  const livePlans: Array<Awaited<ReturnType<typeof timed>>> = [];
  for (let i = 0; i < rounds; i++) livePlans.push(await timed(p, ['plan', '--detailed-exitcode']));
  const noop = await timed(p, ['apply', '--auto-approve']);
  const destroy = await timed(p, ['destroy', '--auto-approve', '--parallelism', String(parallelism)]);
  console.log(`\n### owctl on the opensandbox backend: ${count} sandboxes through the stand-in, parallelism ${parallelism}\n`);
  console.log('| operation | wall (ms) | HTTP calls to the server | of which mutating |\n|---|---:|---:|---:|');
  const row = (label: string, r: { ms: number; calls: number; mutating: number }) => console.log(`| ${label} | ${r.ms.toFixed(0)} | ${r.calls} | ${r.mutating} |`);
  row(`plan, nothing live (median of ${rounds})`, { ...emptyPlans[0]!, ms: median(emptyPlans.map((r) => r.ms)) });
  row('apply from empty (create, wait Running, endpoint, verify every sandbox)', apply);
  row(`plan, ${count} live and in sync (median of ${rounds}; one /health probe each)`, { ...livePlans[0]!, ms: median(livePlans.map((r) => r.ms)) });
  row('apply, nothing to do', noop);
  row('destroy', destroy);
} finally {
  await p.close();
}
