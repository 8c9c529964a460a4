// `msb start | stop | restart | rm`. Each takes NAMES and/or `--label K=V` (AND), goes on past a failing name and
// exits 1 at the end if any failed. With -q msb 0.6.18 prints nothing at all — not even the errors (except stop).
import { parseArgs } from './args.mjs';
import { MsbError, fail, missingRequired } from './errors.mjs';
import { msbHome } from './home.mjs';
import { success, usage } from './output.mjs';
import { UP, boot, forget, getSandbox, selectNames, stop } from './sandboxes.mjs';
import { touch } from './sessions.mjs';
import { withState } from './state.mjs';

const common = [
  { long: 'label', value: 'LABEL', multiple: true },
  { long: 'quiet', short: 'q' },
];
const stopOptions = [...common, { long: 'force', short: 'f' }, { long: 'timeout', short: 't', value: 'TIMEOUT' }];
const spec = (name, options) => ({
  name,
  usage: `msb ${name} [OPTIONS] [NAMES]...`,
  options,
  positionals: [{ name: 'NAMES', multiple: true }],
});

export const start = (argv, env) =>
  eachSandbox(argv, env, spec('start', common), async (home, name, quiet) => {
    const running = withState(home, (state) => UP.has(getSandbox(state, name).status));
    if (running) throw fail(`sandbox still running: cannot start sandbox '${name}': already running`);
    const failure = await boot(home, name, env);
    if (failure !== null) throw fail(`failed to start ${JSON.stringify(name)}: ${failure.message}`);
    success('Started', name, quiet);
  });

// Unlike start/restart/rm, `stop -q` still prints its errors.
export const stopCommand = (argv, env) =>
  eachSandbox(
    argv,
    env,
    spec('stop', stopOptions),
    async (home, name, quiet) => {
      await stop(home, name);
      success('Stopped', name, quiet);
    },
    { quietErrors: false },
  );

export const restart = (argv, env) =>
  eachSandbox(argv, env, spec('restart', stopOptions), async (home, name, quiet) => {
    await stop(home, name);
    const failure = await boot(home, name, env);
    if (failure !== null) throw fail(`failed to start ${JSON.stringify(name)}: ${failure.message}`);
    success('Restarted', name, quiet);
  });

export const remove = (argv, env) =>
  eachSandbox(argv, env, spec('remove', [...common, { long: 'force', short: 'f' }]), async (home, name, quiet, opts) => {
    const up = withState(home, (state) => UP.has(getSandbox(state, name).status));
    if (up && !opts.force) throw fail(`sandbox still running: cannot remove sandbox '${name}': still running`);
    if (up) await stop(home, name);
    withState(home, (state) => {
      getSandbox(state, name);
      forget(home, state, name);
    });
    success('Removed', name, quiet);
  });

async function eachSandbox(argv, env, commandSpec, action, { quietErrors = true } = {}) {
  const { opts, pos, help } = parseArgs(argv, commandSpec);
  if (help) return usage(commandSpec);
  const home = msbHome(env);
  const labels = opts.label ?? [];
  if (pos.NAMES.length === 0 && labels.length === 0) throw missingRequired(['<NAMES>...'], `msb ${commandSpec.name} <NAMES>...`);
  const names = withState(home, (state) => selectNames(state, pos.NAMES, labels));
  let failed = false;
  for (const name of names) {
    try {
      await action(home, name, opts.quiet === true, opts);
    } catch (error) {
      if (!(error instanceof MsbError)) throw error;
      failed = true;
      if (!(opts.quiet && quietErrors)) process.stderr.write(error.render());
    }
  }
  return failed ? 1 : 0;
}

// `msb touch` refreshes the idle timer of running sandboxes (crates/cli/lib/commands/touch.rs); `msb ping --touch`
// does after a successful ping, plain `ping` does not (upstream issue #729). On a sandbox that is not running both
// fail with the text the real 0.6.18 prints; -q silences the errors too.
const notRunning = (name, status, verb) => fail(`sandbox '${name}' is not running (status: ${status}); cannot ${verb}`);

export const touchCommand = (argv, env) =>
  eachSandbox(argv, env, spec('touch', common), async (home, name, quiet) => {
    withState(home, (state) => {
      const record = getSandbox(state, name);
      if (record.status !== 'Running') throw notRunning(name, record.status, 'touch');
      touch(record);
    });
    success('Touched', name, quiet);
  });

export const ping = (argv, env) =>
  eachSandbox(argv, env, spec('ping', [...common, { long: 'touch' }]), async (home, name, quiet, opts) => {
    withState(home, (state) => {
      const record = getSandbox(state, name);
      if (record.status !== 'Running') throw notRunning(name, record.status, 'ping');
      if (opts.touch) touch(record);
    });
    success('Reachable', name, quiet);
  });
