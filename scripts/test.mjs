/**
 * `npm test`: build (when stale), then the typecheck, the suite against msb 0.6.18 and the msb 0.7.2 suite side by
 * side — the suites spend most of their time waiting on processes they started, so the typecheck and the short
 * second suite fit in those waits. The first suite prints as it runs; the other two steps' output is kept and
 * printed once each is done, with its time. Every step runs (or its skip is said) whatever another's result, and at
 * the end a sweep looks for processes the tests left running: every child carries OWCTL_TEST_RUN=<id> in its
 * environment, so any process still holding it is named, stopped, and fails the run. Exit code: 0 only when every
 * step passed.
 *
 * The test files run precompiled (scripts/build-tests.mjs: one esbuild pass, then plain `node` per file instead of
 * `node --import tsx`), the longest first.
 *
 * Options: OWCTL_TEST_FILES="test/a/x.test.ts …" (environment) runs only those files (the msb 0.7.2 step then runs
 * only if one of them is in its list); --no-build skips the build and the typecheck, and says so; --only-msb-0.7
 * runs only the msb 0.7.2 step (npm run test:msb-0.7), printing as it runs.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildTests } from './build-tests.mjs';

const ROOT = join(import.meta.dirname, '..');
const RUN_ID = randomBytes(6).toString('hex');
const MARK = `OWCTL_TEST_RUN=${RUN_ID}`;
// Three files side by side on two cores: part of each file's time is spent waiting on processes it started (measured
// before the files were compiled, quiet: 475 s at 3, 507 s at 2; OWCTL_TEST_CONCURRENCY overrides).
const CONCURRENCY = Number(process.env.OWCTL_TEST_CONCURRENCY ?? 3);
const NODE_TEST = ['--test', '--test-reporter=./scripts/test-reporter.mjs', `--test-concurrency=${CONCURRENCY}`];
// A test's own limit: long enough for an e2e scenario on a loaded two-core host, short enough that a hang is
// reported by name (the failing test's path) well before CI's limit. Each owctl run inside a test has its own,
// shorter watchdog naming the command (test/helpers/cli.ts).
const TEST_TIMEOUT_MS = 300_000;
const MSB_07_FILES = () => [...listTests('test/msb'), 'test/integration/plan-real-msb.test.ts'];
// The files that take longest (the slowest of two quiet runs of the whole suite, longest first) start first: with
// three files at a time, a long file started near the end would make the run's tail. The rest follow in alphabetical
// order.
const LONGEST_FIRST = [
  'test/e2e/keepalive.test.ts',
  'test/e2e/access.test.ts',
  'test/e2e/persisted-state.test.ts',
  'test/e2e/server-life.test.ts',
  'test/e2e/secrets.test.ts',
  'test/contract/msb-contract.test.ts',
  'test/contract/guest-lifecycle.test.ts',
  'test/contract/simulator.test.ts',
  'test/e2e/interrupts.test.ts',
  'test/e2e/day2-verbs.test.ts',
  'test/e2e/failures.test.ts',
  'test/e2e/day2.test.ts',
  'test/e2e/credentials.test.ts',
  'test/integration/plan-real-msb.test.ts',
];
// Compiled tests go to .test-build/<pid>-<run id>/ (one folder per run, removed when it ends); a folder whose run's
// process is gone was left by a run that was killed.
const BUILD_ROOT = join(ROOT, '.test-build');
const BUILD_DIR = join(BUILD_ROOT, `${process.pid}-${RUN_ID}`);

const started = Date.now();
const results = [];

function listTests(dir) {
  return readdirSync(join(ROOT, dir))
    .filter((name) => name.endsWith('.test.ts'))
    .sort()
    .map((name) => `${dir}/${name}`);
}

function allTests() {
  return readdirSync(join(ROOT, 'test'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((entry) => listTests(`test/${entry.name}`))
    .sort();
}

function longestFirst(files) {
  const rank = (file) => (LONGEST_FIRST.includes(file) ? LONGEST_FIRST.indexOf(file) : LONGEST_FIRST.length);
  return files.map((file, index) => ({ file, index })).sort((a, b) => rank(a.file) - rank(b.file) || a.index - b.index).map(({ file }) => file);
}

function removeStaleBuilds() {
  let entries = [];
  try {
    entries = readdirSync(BUILD_ROOT);
  } catch {
    return;
  }
  for (const entry of entries) {
    const pid = Number(entry.split('-')[0]);
    let alive = false;
    try {
      process.kill(pid, 0);
      alive = true;
    } catch (error) {
      alive = error.code === 'EPERM';
    }
    if (!alive) rmSync(join(BUILD_ROOT, entry), { recursive: true, force: true });
  }
}

/** Compiles `files`; returns each file's path to run (a map from the file), or undefined when the build failed. */
async function compile(files) {
  const name = `compile the test files (${files.length})`;
  process.stdout.write(`\n▶ ${name}\n`);
  const t0 = Date.now();
  removeStaleBuilds();
  try {
    const out = await buildTests(ROOT, files, BUILD_DIR);
    const result = { name, outcome: 'passed', ok: true, ms: Date.now() - t0 };
    results.push(result);
    process.stdout.write(`✓ ${name}: passed in ${seconds(result.ms)}\n`);
    return new Map(files.map((file, index) => [file, out[index]]));
  } catch (error) {
    const result = { name, outcome: `failed: ${error.message}`, ok: false, ms: Date.now() - t0 };
    results.push(result);
    process.stdout.write(`✗ ${name}: ${result.outcome}\n`);
    return undefined;
  }
}

function seconds(ms) {
  return `${(ms / 1000).toFixed(1)} s`;
}

/**
 * Runs one step. `quiet`: its output is kept and printed in one piece when it is done (for steps that run beside
 * the first suite, whose dots would otherwise interleave with theirs).
 */
function run(name, command, args, { env = {}, quiet = false } = {}) {
  process.stdout.write(quiet ? `\n▶ ${name} (beside the suite; its output follows when it is done)\n` : `\n▶ ${name}\n`);
  const t0 = Date.now();
  return new Promise((resolve) => {
    // NODE_TEST_CONTEXT is set when this runner itself runs inside a test: node --test would then refuse to run files.
    const { NODE_TEST_CONTEXT: _, ...inherited } = process.env;
    const child = spawn(command, args, { cwd: ROOT, stdio: quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit', env: { ...inherited, OWCTL_TEST_RUN: RUN_ID, ...env } });
    const kept = [];
    if (quiet) for (const stream of [child.stdout, child.stderr]) stream.on('data', (chunk) => kept.push(chunk));
    child.on('error', (error) => finish(`could not start: ${error.message}`));
    child.on('close', (code, signal) => finish(code === 0 ? 'passed' : signal ? `ended by ${signal}` : `failed (exit ${code})`));
    let done = false;
    function finish(outcome) {
      if (done) return;
      done = true;
      const result = { name, outcome, ok: outcome === 'passed', ms: Date.now() - t0 };
      results.push(result);
      const output = Buffer.concat(kept).toString('utf8').trimEnd();
      const shown = quiet && output !== '' ? `\n── ${name} ──\n${output}\n` : '';
      process.stdout.write(`${shown}${quiet ? '\n' : ''}${result.ok ? '✓' : '✗'} ${name}: ${outcome} in ${seconds(result.ms)}\n`);
      resolve(result.ok);
    }
  });
}

function skip(name, why) {
  results.push({ name, outcome: `skipped: ${why}`, ok: true, skipped: true, ms: 0 });
  process.stdout.write(`\n- ${name}: skipped: ${why}\n`);
}

/** Processes (other than this one) whose environment carries this run's mark. */
function marked() {
  const found = [];
  for (const pid of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    if (Number(pid) === process.pid) continue;
    try {
      const environ = readFileSync(`/proc/${pid}/environ`, 'latin1');
      if (!environ.split('\0').includes(MARK)) continue;
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').filter(Boolean).join(' ');
      found.push({ pid: Number(pid), cmdline: cmdline.length > 160 ? `${cmdline.slice(0, 157)}...` : cmdline });
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}

async function sweep() {
  const deadline = Date.now() + 5000;
  let left = marked();
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250)); // a grace period for exits already under way
    left = marked();
  }
  if (left.length === 0) {
    process.stdout.write('\n✓ no test process left running\n');
    return true;
  }
  process.stdout.write(`\n✗ ${left.length} process(es) left running by the tests, now stopped:\n`);
  for (const { pid, cmdline } of left) {
    process.stdout.write(`  pid ${pid}: ${cmdline}\n`);
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // exited meanwhile
    }
  }
  // A killed process lingers a moment: the run ends only once it is gone (or says that it is not).
  const killed = new Set(left.map(({ pid }) => pid));
  const until = Date.now() + 5000;
  while (marked().some(({ pid }) => killed.has(pid)) && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 50));
  const still = marked().filter(({ pid }) => killed.has(pid));
  if (still.length > 0) process.stdout.write(`  still there after SIGKILL: ${still.map(({ pid }) => pid).join(', ')}\n`);
  results.push({ name: 'left-over processes', outcome: `${left.length} left running`, ok: false, ms: 0 });
  return false;
}

const only = process.env.OWCTL_TEST_FILES?.split(/\s+/).filter(Boolean);
const suite = longestFirst(only ?? allTests());
const suite07 = only ? suite.filter((file) => MSB_07_FILES().includes(file)) : longestFirst(MSB_07_FILES());
const testArgs = (files) => [...NODE_TEST, `--test-timeout=${TEST_TIMEOUT_MS}`, ...files];

const noBuild = process.argv.includes('--no-build');
const only07 = process.argv.includes('--only-msb-0.7');
if (noBuild) ['build', 'typecheck'].forEach((step) => skip(step, '--no-build'));
const built = noBuild || (await run('build (only when sources changed)', process.execPath, ['scripts/build-if-stale.mjs']));
const compiled = built ? await compile(only07 ? suite07 : suite) : undefined;
if (built) {
  const steps = [];
  // The typecheck runs even when the test files did not compile: it names the error in full.
  if (!noBuild) steps.push(run('typecheck', process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], { quiet: true }));
  if (!compiled) ['tests against msb 0.6.18', 'tests against msb 0.7.2'].forEach((step) => skip(step, 'the test files did not compile'));
  else if (suite07.length === 0) skip('tests against msb 0.7.2', 'none of the selected files runs against it');
  else steps.push(run(`tests against msb 0.7.2 (${suite07.length} files)`, process.execPath, testArgs(suite07.map((file) => compiled.get(file))), { env: { OWCTL_TEST_MSB: '0.7.2' }, quiet: !only07 }));
  if (compiled && only07) skip('tests against msb 0.6.18', '--only-msb-0.7');
  else if (compiled) steps.unshift(run(`tests against msb 0.6.18 (${suite.length} files)`, process.execPath, testArgs(suite.map((file) => compiled.get(file)))));
  await Promise.all(steps);
} else {
  for (const step of ['typecheck', 'tests against msb 0.6.18', 'tests against msb 0.7.2']) skip(step, 'the build failed');
}
rmSync(BUILD_DIR, { recursive: true, force: true });
await sweep();

const failed = results.filter((result) => !result.ok);
process.stdout.write(`\nnpm test: ${failed.length === 0 ? 'passed' : `FAILED (${failed.map((r) => r.name).join('; ')})`} in ${seconds(Date.now() - started)}\n`);
for (const result of results) process.stdout.write(`  ${result.ok ? (result.skipped ? '-' : '✓') : '✗'} ${result.name}: ${result.outcome}${result.ms ? ` (${seconds(result.ms)})` : ''}\n`);
process.exit(failed.length === 0 ? 0 : 1);
