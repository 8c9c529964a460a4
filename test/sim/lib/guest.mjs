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
import { groupAlive, terminateGroup } from './processes.mjs';
import { joinSession } from './sessions.mjs';
import { sleep } from './time.mjs';

export const OPENWORK_ENTRYPOINT = '/usr/local/bin/microsandbox-entrypoint.sh';
/**
 * Background launches the simulator understands: `sh -c SCRIPT ENTRYPOINT ARGS…` where SCRIPT is
 *   [setsid] [nohup] "$0" "$@" [</dev/null] [>>LOG 2>&1] & [echo $! >PIDFILE]
 * owctl's (src/msb/workload.ts) is one of them. What each part changes, as in a real guest:
 * - without `setsid` the server stays in the exec session's process group, so it dies if that session ends
 *   abnormally (a signal to `msb exec`, a host disconnect, `--timeout`) while still open;
 * - without the output redirection the server holds the session's stdout: the session (and `msb exec`) stays open
 *   as long as the server runs;
 * - `echo $! >PIDFILE` records the server's pid in the guest (a file in guest /tmp: gone on the next boot).
 */
const LAUNCH = /^(setsid\s+)?(nohup\s+)?"\$0"\s+"\$@"(\s*<\s*\/dev\/null)?(\s*>>?\s*(\S+)\s+2>&1)?\s*&(?:\s*;?\s*echo\s+\$!\s*>\s*(\S+))?\s*$/;
/** owctl's graceful stop (src/msb/workload.ts), recognised verbatim: SIGTERM to the recorded server, bounded wait. */
export const SERVER_STOP_SCRIPT =
  'p=$(cat /tmp/openwork-server.pid 2>/dev/null) || exit 3; kill -0 "$p" 2>/dev/null || exit 3; ' +
  'kill -TERM -- "-$p" 2>/dev/null || kill -TERM "$p" 2>/dev/null || exit 3; ' +
  'i=0; n=$(($0 * 5)); d=0.2; sleep $d 2>/dev/null || { n=$0; d=1; }; ' +
  'while kill -0 "$p" 2>/dev/null; do [ "$i" -ge "$n" ] && exit 4; sleep $d; i=$((i + 1)); done; ' +
  'rm -f /tmp/openwork-server.pid; exit 0';
const SERVER_PIDFILE = '/tmp/openwork-server.pid';
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

  const script = SHELLS.has(program) && args[0] === '-c' ? LAUNCH.exec(args[1] ?? '') : null;
  if (script !== null) {
    const [target, ...targetArgs] = args.slice(2);
    const shape = { setsid: Boolean(script[1]), redirected: Boolean(script[4]), pidfile: script[6] ?? null };
    if (!isEntrypoint(target)) {
      appendFileSync(outputLog(home, name), `sh: can't execute '${target ?? ''}': No such file or directory\n`);
      return 0;
    }
    return backgroundLaunch(home, name, config, targetArgs, shape, { env, extraEnv });
  }
  if (SHELLS.has(program) && args[0] === '-c' && args[1] === SERVER_STOP_SCRIPT) return stopServer(home, name, Number(args[2] ?? 10));
  if (isEntrypoint(program)) return launch(home, name, config, args, { env, extraEnv, detach, inSession: !detach });
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

async function launch(home, name, config, args, { env, extraEnv, detach, inSession }) {
  const child = startWorkload(home, name, config, { args, extraEnv, env });
  if (child === null) return detach ? 0 : 127;
  withState(home, (state) => {
    const record = state.sandboxes[name];
    if (record) (record.processes ??= []).push(child.pid);
  });
  if (inSession) joinSession(home, name, child.pid);
  appendSystem(home, name, `INFO simulator: workload started pid=${child.pid} script=${env.MSB_SIM_WORKLOAD || 'test/fixture/openwork-server.mjs'}`);
  if (detach) {
    child.unref();
    return 0;
  }
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 + 15 : 1))));
}

/** A launch script (see LAUNCH): the shell backgrounds the server and exits; the session lives on as the shape says. */
async function backgroundLaunch(home, name, config, args, shape, { env, extraEnv }) {
  const child = startWorkload(home, name, config, { args, extraEnv, env });
  if (child === null) return 0;
  child.unref();
  withState(home, (state) => {
    const record = state.sandboxes[name];
    if (!record) return;
    (record.processes ??= []).push(child.pid);
    if (shape.pidfile !== null) (record.pidfiles ??= {})[shape.pidfile] = child.pid;
  });
  if (!shape.setsid) joinSession(home, name, child.pid);
  appendSystem(home, name, `INFO simulator: workload started pid=${child.pid} script=${env.MSB_SIM_WORKLOAD || 'test/fixture/openwork-server.mjs'}`);
  // The server holds the session's stdout until it exits; otherwise the session ends with the shell (after the
  // optional MSB_SIM_EXEC_LINGER_MS, a window in which ending `msb exec` abnormally still kills its process group).
  if (!shape.redirected) await untilGone(child.pid);
  else await sleep(Number(env.MSB_SIM_EXEC_LINGER_MS ?? 0));
  return 0;
}

/** owctl's graceful stop: exit 3 when no live server is recorded, 0 when it exited within `waitSecs`, else 4. */
async function stopServer(home, name, waitSecs) {
  const pid = withState(home, (state) => state.sandboxes[name]?.pidfiles?.[SERVER_PIDFILE] ?? null);
  if (pid === null || !groupAlive(pid)) return 3;
  if (!(await terminateGroup(pid, waitSecs * 1000))) return 4;
  withState(home, (state) => {
    delete state.sandboxes[name]?.pidfiles?.[SERVER_PIDFILE];
  });
  return 0;
}

async function untilGone(pgid) {
  while (groupAlive(pgid)) await sleep(100);
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
