// `msb exec NAME -- CMD…`: like msb 0.6.18, a stopped sandbox is booted first. The command runs "in the guest"
// (guest.mjs) inside an exec session (sessions.mjs); msb's exit code is the command's.
import { parseArgs } from './args.mjs';
import { MsbError, unsupported } from './errors.mjs';
import { runInGuest } from './guest.mjs';
import { closeSession, killSession, openSession } from './sessions.mjs';
import { msbHome } from './home.mjs';
import { UP, boot, getSandbox } from './sandboxes.mjs';
import { snapshot } from './state.mjs';
import { parseEnvArg } from './values.mjs';
import { bootHints } from './vm.mjs';
import { usage } from './output.mjs';

const SPEC = {
  name: 'exec',
  usage: 'msb exec [OPTIONS] <NAME> [-- <COMMAND>...]',
  options: [
    { long: 'env', short: 'e', value: 'ENV', multiple: true },
    { long: 'workdir', short: 'w', value: 'WORKDIR' },
    { long: 'user', short: 'u', value: 'USER' },
    { long: 'tty', short: 't' },
    { long: 'no-tty' },
    { long: 'timeout', value: 'TIMEOUT' },
    { long: 'rlimit', value: 'RLIMIT', multiple: true },
    { long: 'quiet', short: 'q' },
    { long: 'stream' },
  ],
  positionals: [{ name: 'NAME', required: true }],
  trailing: 'COMMAND',
};

export async function exec(argv, env) {
  const { opts, pos, trailing, help } = parseArgs(argv, SPEC);
  if (help) return usage(SPEC);
  const home = msbHome(env);
  const name = pos.NAME;
  const extraEnv = Object.fromEntries((opts.env ?? []).map((text) => parseEnvArg(text, env)));
  const record = getSandbox(snapshot(home), name);
  if (!UP.has(record.status)) {
    const failure = await boot(home, name, env);
    if (failure !== null) throw new MsbError(`failed to start ${JSON.stringify(name)}`, { hints: bootHints(name, failure) });
  }
  if (!trailing || trailing.length === 0) throw unsupported('an interactive shell (exec without a command)');
  openSession(home, name);
  const abnormalEnd = (code) => {
    killSession(home, name);
    process.exit(code);
  };
  // A signal to `msb exec` (or its --timeout) ends the open session abnormally: its process group is killed.
  for (const [signal, number] of [['SIGTERM', 15], ['SIGINT', 2], ['SIGHUP', 1]]) process.once(signal, () => abnormalEnd(128 + number));
  const timeoutMs = opts.timeout === undefined ? 0 : parseDuration(opts.timeout) * 1000;
  const timer = timeoutMs > 0 ? setTimeout(() => abnormalEnd(TIMEOUT_EXIT), timeoutMs) : undefined;
  try {
    return await runInGuest(home, name, trailing, { env, extraEnv });
  } finally {
    clearTimeout(timer);
    closeSession(home, name);
  }
}

/** The exit code after `--timeout` killed the command: the simulator's choice (the real one was not observed). */
const TIMEOUT_EXIT = 124;

/** `--timeout`: `30s`, `5m`, `1h` or bare seconds (msb's duration grammar). */
function parseDuration(text) {
  const match = /^(\d+)([smh]?)$/.exec(text);
  if (!match) throw new MsbError(`invalid duration: ${text}`);
  return Number(match[1]) * { '': 1, s: 1, m: 60, h: 3600 }[match[2]];
}
