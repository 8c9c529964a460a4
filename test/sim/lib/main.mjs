// Subcommand dispatch, msb's aliases, and turning errors into msb's stderr lines and exit codes.
import { closest } from './args.mjs';
import { MsbError, fail, unrecognizedSubcommand, unsupported } from './errors.mjs';
import { VERSION } from './version.mjs';

// Each msb call is a fresh process: load only the module of the command at hand.
const lazy = (module, name) => async (argv, env) => (await import(module))[name](argv, env);
const COMMANDS = {
  run: lazy('./cmd-create.mjs', 'run'),
  create: lazy('./cmd-create.mjs', 'create'),
  modify: lazy('./cmd-modify.mjs', 'modify'),
  start: lazy('./cmd-lifecycle.mjs', 'start'),
  stop: lazy('./cmd-lifecycle.mjs', 'stopCommand'),
  restart: lazy('./cmd-lifecycle.mjs', 'restart'),
  touch: lazy('./cmd-lifecycle.mjs', 'touchCommand'),
  ping: lazy('./cmd-lifecycle.mjs', 'ping'),
  list: lazy('./cmd-query.mjs', 'list'),
  status: lazy('./cmd-query.mjs', 'status'),
  remove: lazy('./cmd-lifecycle.mjs', 'remove'),
  exec: lazy('./cmd-exec.mjs', 'exec'),
  logs: lazy('./cmd-logs.mjs', 'logs'),
  inspect: lazy('./cmd-query.mjs', 'inspect'),
  pull: lazy('./cmd-image.mjs', 'pull'),
  load: lazy('./cmd-image.mjs', 'load'),
  doctor: lazy('./cmd-misc.mjs', 'doctor'),
  context: lazy('./cmd-misc.mjs', 'context'),
  image: group('image', {
    list: lazy('./cmd-image.mjs', 'imageList'),
    inspect: lazy('./cmd-image.mjs', 'imageInspect'),
    load: lazy('./cmd-image.mjs', 'load'),
    pull: lazy('./cmd-image.mjs', 'pull'),
    remove: lazy('./cmd-image.mjs', 'imageRemove'),
  }, { ls: 'list', rm: 'remove' }),
  volume: group('volume', {
    create: lazy('./cmd-volume.mjs', 'volumeCreate'),
    list: lazy('./cmd-volume.mjs', 'volumeList'),
    remove: lazy('./cmd-volume.mjs', 'volumeRemove'),
  }, { ls: 'list', rm: 'remove' }),
};
const ALIASES = { mod: 'modify', ls: 'list', ps: 'status', rm: 'remove', ctx: 'context', vol: 'volume' };
const NOT_SIMULATED = ['metrics', 'copy', 'cp', 'ssh', 'save', 'registry', 'snapshot', 'snap', 'install', 'uninstall', 'update', 'upgrade', 'downgrade', 'self', 'completion'];
const DIAGNOSTIC = new Set(['--tree', '--error', '--warn', '--info', '--debug', '--trace']);
const HELP = `Microsandbox CLI v${VERSION} — owctl msb simulator (test double; see test/sim/README.md)

Usage: msb [OPTIONS] <COMMAND>

Simulated commands: run, create, modify, start, stop, restart, touch, ping, list (ls), status (ps), remove (rm), exec, logs,
inspect, image {list, inspect, load, pull, remove}, pull, load, volume {create, list, remove}, context, doctor

Options:
  -h, --help     Print help
  -V, --version  Print version
`;

function group(name, subcommands, aliases) {
  return (argv, env) => {
    const [given, ...rest] = argv;
    const sub = aliases[given] ?? given;
    if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
      process.stdout.write(`Usage: msb ${name} [OPTIONS] <COMMAND>\n\nCommands: ${Object.keys(subcommands).join(', ')}\n`);
      return sub === undefined ? 2 : 0;
    }
    const command = subcommands[sub];
    if (!command) throw unrecognizedSubcommand(sub, `msb ${name} [OPTIONS] <COMMAND>`, closest(sub, Object.keys(subcommands)));
    return command(rest, env);
  };
}

export async function main(argv, env = process.env) {
  const args = argv.filter((arg, i) => !(DIAGNOSTIC.has(arg) && argv.slice(0, i).every((a) => a.startsWith('-'))));
  const [first, ...rest] = args;
  if (first === '--version' || first === '-V') {
    process.stdout.write(`msb ${VERSION}\n`);
    return 0;
  }
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  if (NOT_SIMULATED.includes(first)) throw unsupported(`\`msb ${first}\``);
  const name = ALIASES[first] ?? first;
  const command = COMMANDS[name];
  if (!command) throw unrecognizedSubcommand(first, 'msb [OPTIONS] <COMMAND>', closest(first, Object.keys(COMMANDS)));
  if (name !== 'context' && name !== 'doctor' && env.MSB_BACKEND) {
    const cloud = (await import('./cmd-misc.mjs')).cloudUnavailable(env);
    if (cloud) throw cloud;
  }
  return command(rest, env);
}

export async function runCli() {
  try {
    process.exitCode = (await main(process.argv.slice(2))) ?? 0;
  } catch (error) {
    if (error instanceof MsbError) {
      if (error.stdout) process.stdout.write(error.stdout);
      process.stderr.write(error.render());
      process.exitCode = error.exitCode;
      return;
    }
    process.stderr.write(fail(`owctl msb simulator: internal error: ${error?.stack ?? error}`).render());
    process.exitCode = 1;
  }
}
