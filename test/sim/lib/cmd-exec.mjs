// `msb exec NAME -- CMD…`: like msb 0.6.18, a stopped sandbox is booted first. The command runs "in the guest"
// (guest.mjs); msb's exit code is the command's.
import { parseArgs } from './args.mjs';
import { MsbError, unsupported } from './errors.mjs';
import { runInGuest } from './guest.mjs';
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
  return runInGuest(home, name, trailing, { env, extraEnv });
}
