/**
 * `npm test`: build (when stale), typecheck, the suite against msb 0.6.18, then the msb 0.7.2 suite — each step
 * announced with its time, the second suite run (or its skip said) whatever the first one's result, and at the end
 * a sweep for processes the tests left running: every child carries OWCTL_TEST_RUN=<id> in its environment, so any
 * process still holding it is named, stopped, and fails the run. Exit code: 0 only when every step passed.
 *
 * Options: OWCTL_TEST_FILES="test/a/x.test.ts …" (environment) runs only those files (the msb 0.7.2 step then runs
 * only if one of them is in its list); --no-build skips the build and the typecheck, and says so.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const RUN_ID = randomBytes(6).toString('hex');
const MARK = `OWCTL_TEST_RUN=${RUN_ID}`;
const NODE_TEST = ['--import', 'tsx', '--test', '--test-reporter=./scripts/test-reporter.mjs', '--test-concurrency=2'];
// A test's own limit: long enough for an e2e scenario on a loaded two-core host, short enough that a hang is
// reported by name (the failing test's path) well before CI's limit. Each owctl run inside a test has its own,
// shorter watchdog naming the command (test/helpers/cli.ts).
const TEST_TIMEOUT_MS = 300_000;
const MSB_07_FILES = () => [...listTests('test/msb'), 'test/integration/plan-real-msb.test.ts'];

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

function seconds(ms) {
  return `${(ms / 1000).toFixed(1)} s`;
}

function run(name, command, args, env = {}) {
  process.stdout.write(`\n▶ ${name}\n`);
  const t0 = Date.now();
  return new Promise((resolve) => {
    // NODE_TEST_CONTEXT is set when this runner itself runs inside a test: node --test would then refuse to run files.
    const { NODE_TEST_CONTEXT: _, ...inherited } = process.env;
    const child = spawn(command, args, { cwd: ROOT, stdio: 'inherit', env: { ...inherited, OWCTL_TEST_RUN: RUN_ID, ...env } });
    child.on('error', (error) => finish(`could not start: ${error.message}`));
    child.on('exit', (code, signal) => finish(code === 0 ? 'passed' : signal ? `ended by ${signal}` : `failed (exit ${code})`));
    function finish(outcome) {
      const result = { name, outcome, ok: outcome === 'passed', ms: Date.now() - t0 };
      results.push(result);
      process.stdout.write(`${result.ok ? '✓' : '✗'} ${name}: ${outcome} in ${seconds(result.ms)}\n`);
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
const suite = only ?? allTests();
const suite07 = only ? only.filter((file) => MSB_07_FILES().includes(file)) : MSB_07_FILES();
const testArgs = (files) => [...NODE_TEST, `--test-timeout=${TEST_TIMEOUT_MS}`, ...files];

const noBuild = process.argv.includes('--no-build');
if (noBuild) ['build', 'typecheck'].forEach((step) => skip(step, '--no-build'));
const built = noBuild || (await run('build (only when sources changed)', process.execPath, ['scripts/build-if-stale.mjs']));
const typed = noBuild || (built && (await run('typecheck', process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'])));
if (!built) skip('typecheck', 'the build failed');
if (typed) {
  await run(`tests against msb 0.6.18 (${suite.length} files)`, process.execPath, testArgs(suite));
  if (suite07.length === 0) skip('tests against msb 0.7.2', 'none of the selected files runs against it');
  else await run(`tests against msb 0.7.2 (${suite07.length} files)`, process.execPath, testArgs(suite07), { OWCTL_TEST_MSB: '0.7.2' });
} else {
  skip('tests against msb 0.6.18', built ? 'the typecheck failed' : 'the build failed');
  skip('tests against msb 0.7.2', built ? 'the typecheck failed' : 'the build failed');
}
await sweep();

const failed = results.filter((result) => !result.ok);
process.stdout.write(`\nnpm test: ${failed.length === 0 ? 'passed' : `FAILED (${failed.map((r) => r.name).join('; ')})`} in ${seconds(Date.now() - started)}\n`);
for (const result of results) process.stdout.write(`  ${result.ok ? (result.skipped ? '-' : '✓') : '✗'} ${result.name}: ${result.outcome}${result.ms ? ` (${seconds(result.ms)})` : ''}\n`);
process.exit(failed.length === 0 ? 0 : 1);
