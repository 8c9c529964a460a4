// Where one `owctl plan` spends its time, phase by phase, in a fresh process, using the built dist/ modules in the
// order the CLI loads and runs them. Prints one JSON line of milliseconds. Run by `npm run bench -- --phases`.
//
//   MSB_HOME=… OWCTL_MSB=… OPENWORK_TOKEN=… OPENWORK_HOST_TOKEN=… node bench/phases.mjs FILE PARALLELISM
//
// Cold phases are what a CLI run pays (each runs first, once); "warm" repeats show how much of that is one-off
// (module compile, JIT warm-up). The observe phase is also run through a spawner built on node's execFile, in the
// same process with the same heap, to isolate what the spawning library costs per msb call.
import { execFile, spawn } from 'node:child_process';

const [file, parallelismText] = process.argv.slice(2);
const parallelism = Number(parallelismText);
const out = {};
const cpuMs = () => {
  const used = process.cpuUsage();
  return (used.user + used.system) / 1000;
};
// Wall time of each phase, and its CPU time (all threads of this process: the SDK's native calls included).
const time = async (name, body) => {
  const start = performance.now();
  const cpuStart = cpuMs();
  const value = await body();
  out[name] = Number((performance.now() - start).toFixed(1));
  out[`${name} — CPU`] = Number((cpuMs() - cpuStart).toFixed(1));
  return value;
};

await time('import cli shell', () => import('../dist/cli/main.js'));
await time('import plan command graph', () => import('../dist/commands/plan.js'));

const { loadConfig, loadDesiredState } = await import('../dist/config/load.js');
const { desired } = await time('config load, cold (as the CLI: the fast path)', () => loadDesiredState(file, process.env));
await time('config load, warm (2nd call)', () => loadDesiredState(file, process.env));
// The full way (yaml package, source positions), which a file with a problem takes: first use, so cold.
await time('config load the full way, cold', () => loadConfig(file, process.env, { positioned: true }));

const { Msb } = await import('../dist/msb/driver.js');
const { observe } = await import('../dist/msb/observe.js');
const msbPath = process.env.OWCTL_MSB;
const plain = {
  run: (request) =>
    new Promise((resolve) => {
      const options = { env: request.env, timeout: request.timeoutMs, maxBuffer: 64 * 1024 * 1024 };
      execFile(request.file, request.args, options, (error, stdout, stderr) =>
        resolve({ exitCode: error ? (typeof error.code === 'number' ? error.code : undefined) : 0, stdout, stderr, timedOut: error?.killed === true }),
      );
    }),
  stream: () => {
    throw new Error('not used');
  },
};
const observed = await time("observe, cold (owctl's driver)", () => observe(new Msb(msbPath, process.env), desired, { parallelism }));
await time('observe via execFile spawner (same heap)', () => observe(new Msb(msbPath, process.env, { spawner: plain }), desired, { parallelism }));
await time("observe, warm (owctl's driver)", () => observe(new Msb(msbPath, process.env), desired, { parallelism }));
// The SDK channel (in-process; reads the MSB_HOME of this process).
const sdk = await time('import microsandbox SDK (with its binding)', () => import('microsandbox'));
const { observeWithSdk } = await import('../dist/msb/sdk-observe.js');
await time('observe via SDK, cold', () => observeWithSdk(sdk, desired, { parallelism }));
await time('observe via SDK, warm', () => observeWithSdk(sdk, desired, { parallelism }));

const { plan } = await import('../dist/plan/planner.js');
const { planDocument } = await import('../dist/views/plan-json.js');
const { renderPlanHuman } = await import('../dist/views/plan-human.js');
const { style } = await import('../dist/views/style.js');
await time('plan + render', () => renderPlanHuman(planDocument(plan(desired, observed), 'openwork.yaml'), style(false)));

// The synchronous part of spawn() (fork + exec handshake) blocks the event loop once per msb call.
const forks = [];
for (let i = 0; i < 15; i++) {
  const start = performance.now();
  const child = spawn('/bin/true', [], { stdio: ['ignore', 'pipe', 'pipe'] });
  forks.push(performance.now() - start);
  await new Promise((resolve) => child.on('close', resolve));
}
forks.sort((a, b) => a - b);
out['spawn() sync part, each'] = Number(forks[7].toFixed(2));
const cpu = process.cpuUsage();
out['process CPU user+sys (whole script)'] = Number(((cpu.user + cpu.system) / 1000).toFixed(1));
out['rss MiB at end'] = Number((process.memoryUsage().rss / 2 ** 20).toFixed(1));
process.stdout.write(`${JSON.stringify(out)}\n`);
