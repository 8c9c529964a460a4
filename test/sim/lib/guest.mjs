// What runs "in the guest". The simulator knows one real program — the OpenWork image's entrypoint, started as the
// workload — plus a few trivial commands (true, false, echo, printenv, env, `sh -c` with those). Anything else fails
// the way a guest would: `failed to exec` (exit 127) for a direct command, `sh: X: not found` (127) under a shell.
import { appendFileSync, existsSync, readFileSync, statSync } from 'node:fs';
import { outputLog } from './home.mjs';
import { MsbError } from './errors.mjs';
import { imageByDigest } from './images.mjs';
import { appendSystem } from './logs-store.mjs';
import { envMap } from './sandbox-config.mjs';
import { withState } from './state.mjs';
import { startWorkload } from './vm.mjs';

/** owctl's launch script (src/msb/workload.ts): `sh -c SCRIPT ENTRYPOINT ARGS…` backgrounds the server with nohup. */
export const LAUNCH_SCRIPT = 'nohup "$0" "$@" >>/tmp/openwork-server.log 2>&1 &';
export const OPENWORK_ENTRYPOINT = '/usr/local/bin/microsandbox-entrypoint.sh';
const SHELLS = new Set(['/bin/sh', 'sh', '/bin/bash', 'bash']);

/**
 * Runs `argv` in sandbox `name` (which is up). `detach`: return as soon as the program is started.
 * Resolves to the exit code; writes the command's output to stdout/stderr.
 */
export async function runInGuest(home, name, argv, { env = process.env, extraEnv = {}, detach = false } = {}) {
  const { config, entrypoints } = withState(home, (state) => {
    const record = state.sandboxes[name];
    const image = record.config.manifest_digest ? imageByDigest(state, record.config.manifest_digest) : null;
    return { config: record.config, entrypoints: [OPENWORK_ENTRYPOINT, image?.config.entrypoint?.[0]].filter(Boolean) };
  });
  const isEntrypoint = (program) => entrypoints.includes(program);
  const [program, ...args] = argv;

  if (SHELLS.has(program) && args[0] === '-c' && args[1] === LAUNCH_SCRIPT) {
    const [target, ...targetArgs] = args.slice(2);
    if (isEntrypoint(target)) await launch(home, name, config, targetArgs, { env, extraEnv, detach: true });
    else appendFileSync(outputLog(home, name), `nohup: can't execute '${target ?? ''}': No such file or directory\n`);
    return 0;
  }
  if (isEntrypoint(program)) return launch(home, name, config, args, { env, extraEnv, detach });
  if (program.replace(/^\/(usr\/)?bin\//, '') === 'tail' && args.at(-1) === SERVER_LOG) return tailServerLog(outputLog(home, name), args);
  const guestEnv = { ...envMap(config), ...extraEnv };
  if (SHELLS.has(program) && args[0] === '-c') return shellScript(args[1] ?? '', guestEnv);
  const builtin = builtins(guestEnv)[program.replace(/^\/(usr\/)?bin\//, '')];
  if (builtin) return builtin(args);
  throw new MsbError(`failed to exec ${JSON.stringify(program)}`, {
    exitCode: 127,
    hints: ['not found: No such file or directory (ENOENT)', `is \`${program}\` on PATH inside the sandbox? Try \`msb exec ... -- which ${program}\``],
  });
}

/** The guest file the launch script appends the server's output to; the simulator keeps it as the sandbox's output log. */
const SERVER_LOG = '/tmp/openwork-server.log';

/** `tail [-n N] [-F|-f] /tmp/openwork-server.log`: the last N lines, then (with -F) new output until killed. */
async function tailServerLog(file, args) {
  const n = Number(args[args.indexOf('-n') + 1] ?? 10);
  const follow = args.includes('-F') || args.includes('-f');
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  process.stdout.write(lines.slice(Math.max(0, lines.length - n)).map((line) => `${line}\n`).join(''));
  if (!follow) return 0;
  let offset = Buffer.byteLength(text);
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    const size = existsSync(file) ? statSync(file).size : 0;
    if (size > offset) {
      process.stdout.write(readFileSync(file).subarray(offset, size));
      offset = size;
    }
  }
}

async function launch(home, name, config, args, { env, extraEnv, detach }) {
  const child = startWorkload(home, name, config, { args, extraEnv, env });
  if (child === null) return detach ? 0 : 127;
  withState(home, (state) => {
    const record = state.sandboxes[name];
    if (record) (record.processes ??= []).push(child.pid);
  });
  appendSystem(home, name, `INFO simulator: workload started pid=${child.pid} script=${env.MSB_SIM_WORKLOAD || 'test/fixture/openwork-server.mjs'}`);
  if (detach) {
    child.unref();
    return 0;
  }
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 + 15 : 1))));
}

function builtins(env) {
  const print = (text) => {
    process.stdout.write(text);
    return 0;
  };
  return {
    true: () => 0,
    ':': () => 0,
    false: () => 1,
    echo: (args) => print(`${args.join(' ')}\n`),
    printenv: (args) => {
      if (args.length === 0) return print(Object.entries(env).map(([k, v]) => `${k}=${v}\n`).join(''));
      const values = args.filter((key) => env[key] !== undefined).map((key) => `${env[key]}\n`);
      print(values.join(''));
      return values.length === args.length ? 0 : 1;
    },
    env: (args) => (args.length === 0 ? print(Object.entries(env).map(([k, v]) => `${k}=${v}\n`).join('')) : 127),
  };
}

/** `sh -c SCRIPT` for the trivial scripts above; other commands are "not found" like busybox sh says. */
function shellScript(script, env) {
  const text = script.trim();
  const exit = /^exit(?:\s+(\d+))?$/.exec(text);
  if (exit) return Number(exit[1] ?? 0);
  const words = text.split(/\s+/).map((word) => word.replace(/^(['"])(.*)\1$/, '$2'));
  const builtin = builtins(env)[words[0]?.replace(/^\/(usr\/)?bin\//, '')];
  if (builtin) return builtin(words.slice(1));
  process.stderr.write(`sh: ${words[0] ?? ''}: not found\n`);
  return 127;
}
