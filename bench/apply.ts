/**
 * Benchmark: `owctl apply` of N sandboxes (default 20) through the msb simulator (the stand-in for hosts without
 * CPU virtualisation: each "boot" runs the OpenWork server fixture with a real opencode serve behind it), and the
 * time from a healthy server to a finished verification (the verify step minus its /health wait), per sandbox.
 * Prints a markdown table. Run: npm run bench:apply [-- N [PARALLELISM] [--own-opencode]]. owctl runs as users run it,
 * from the built entry point (bin/owctl.js; the bench builds dist/ when src/ is newer).
 *
 * By default every sandbox's OpenWork fixture proxies to ONE shared, real `opencode serve` (a session directory of
 * its own each): an opencode process spends about 34 s of CPU in the half minute after its first session
 * (measured on the 2-core reference machine), so 20 of them cannot all answer within verification's timeouts
 * there. That cost is the stand-in's, not owctl's or msb's. `--own-opencode` gives each fixture its own, as the
 * image does (and the e2e scenarios whose facts need it). `--warm-opencode` (shared OpenCode only) first creates and deletes one session in each sandbox's
 * session directory, so verification meets a warm OpenCode: OpenCode's first session in a directory costs ~0.7 s.
 */
import { spawnSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort, Project, tokens } from '../test/e2e/harness.ts';
import { startOpencode } from '../test/fixture/opencode-process.mjs';

const positional = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
const ownOpencode = process.argv.includes('--own-opencode');
const warmOpencode = process.argv.includes('--warm-opencode');
const count = Number(positional[0] ?? 20);
const parallelism = Number(positional[1] ?? 4);

interface Event {
  type: string;
  sandbox?: string;
  step?: string;
  duration_ms?: number;
  ok?: boolean;
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

// owctl runs from dist/ (bin/owctl.js): build it when src/ is newer.
const build = spawnSync(process.execPath, [join(import.meta.dirname, '..', 'scripts', 'build-if-stale.mjs')], { stdio: 'inherit' });
if (build.status !== 0) throw new Error('the build failed');

// The harness's own shared OpenCode is not used: this bench shares (or not) its own, below.
const project = await Project.create('bench-apply', { opencode: ownOpencode ? 'own' : 'none' });
const opencode = ownOpencode ? undefined : startOpencode();
try {
  const shared = opencode === undefined ? undefined : await opencode.ready;
  const sessionDir = async (name: string) => {
    const dir = join(project.dir, 'opencode-sessions', name);
    await mkdir(dir, { recursive: true });
    return dir;
  };
  const specs = await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const name = `sb${String(i).padStart(3, '0')}`;
      const extraEnv =
        shared === undefined
          ? undefined
          : { OPENWORK_FIXTURE_OPENCODE_URL: shared.url, OPENWORK_FIXTURE_OPENCODE_PASSWORD: opencode!.password, OPENWORK_FIXTURE_OPENCODE_DIRECTORY: await sessionDir(name) };
      return { name, port: await freePort(), tokens: tokens(`b${i}`), ...(extraEnv ? { extraEnv } : {}) };
    }),
  );
  if (warmOpencode && shared !== undefined) {
    const authorization = `Basic ${Buffer.from(`opencode:${opencode!.password}`).toString('base64')}`;
    for (const spec of specs) await warm(shared.url, authorization, spec.extraEnv!.OPENWORK_FIXTURE_OPENCODE_DIRECTORY);
  }
  await project.writeFile(specs);
  const started = performance.now();
  // As users run it: the built entry point (with its V8 settings), not src/ through tsx.
  const run = project.spawnOwctl(['apply', '--auto-approve', '--json', '--parallelism', String(parallelism)], {}, { bin: true });
  const result = await run.done;
  const wallMs = performance.now() - started;
  if (result.code !== 0) throw new Error(`apply failed (exit ${result.code}):\n${result.stdout.slice(-2000)}\n${result.stderr.slice(-2000)}`);
  const events = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as Event);
  const byStep = (step: string) => new Map(events.filter((e) => e.type === 'step_finish' && e.step === step).map((e) => [e.sandbox!, e.duration_ms!]));
  const verify = byStep('verify');
  const health = byStep('verify:health');
  const session = byStep('verify:session');
  const changes = events.filter((e) => e.type === 'change_finish').map((e) => e.duration_ms!);
  const afterHealthy = [...verify.entries()].map(([name, ms]) => ms - (health.get(name) ?? 0));
  const row = (label: string, values: number[]) => `| ${label} | ${quantile(values, 0.5).toFixed(0)} | ${quantile(values, 0.95).toFixed(0)} | ${Math.max(...values).toFixed(0)} |`;
  const which = shared ? `one shared opencode serve${warmOpencode ? ', warmed (one session per directory before the apply)' : ''}` : 'an opencode serve per sandbox';
  console.log(`\n### owctl apply: ${count} sandboxes through the msb simulator, parallelism ${parallelism}, ${which}\n`);
  console.log(`Wall time of the whole apply (process start to exit): **${(wallMs / 1000).toFixed(1)} s**\n`);
  console.log('| per sandbox (ms) | median | p95 | max |\n|---|---|---|---|');
  console.log(row('create → verified (whole change)', changes));
  console.log(row('verify: waiting for /health', [...health.values()]));
  console.log(row('verify: healthy server → verification finished', afterHealthy));
  console.log(row('  of which the OpenCode session step', [...session.values()]));
} finally {
  await project.cleanup();
  await opencode?.stop();
}

/** One session created and deleted in `directory`, straight on OpenCode: its first session there is the slow one. */
async function warm(url: string, authorization: string, directory: string): Promise<void> {
  const headers = { authorization, 'x-opencode-directory': encodeURIComponent(directory), 'content-type': 'application/json' };
  const created = await fetch(`${url.replace(/\/+$/, '')}/session`, { method: 'POST', headers, body: JSON.stringify({ title: 'warm-up' }) });
  if (!created.ok) throw new Error(`warming OpenCode in ${directory}: HTTP ${created.status}`);
  const { id } = (await created.json()) as { id: string };
  await fetch(`${url.replace(/\/+$/, '')}/session/${encodeURIComponent(id)}`, { method: 'DELETE', headers });
}
