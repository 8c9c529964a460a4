/**
 * commander wiring only: flags → typed options → one command function → exit code. Exit codes (stable):
 * 0 success / no changes, 1 error, 2 changes present (plan --detailed-exitcode), 128 + the signal's number when interrupted (130 SIGINT, 143
 * SIGTERM, 129 SIGHUP).
 */
import { Command, CommanderError, Option } from 'commander';
import type { Interrupts } from '../commands/interrupt.ts';
import { fittedIO, processIO, type CommandIO } from '../commands/io.ts';
import { wrapText } from '../views/fit.ts';
import { EventStream } from '../views/event-stream.ts';
import { EXIT, OwctlError } from '../errors.ts';
import { registerCommands } from './commands.ts';
import { addHelp } from './help.ts';
import type { GlobalOptions } from './run-command.ts';

export { runCommand, type GlobalOptions } from './run-command.ts';

export const VERSION = '0.1.0';

export function buildProgram(setExit: (code: number) => void, ioFor: (global: GlobalOptions) => CommandIO, io?: CommandIO): Command {
  const program = new Command('owctl')
    .description('Declarative OpenWork sandboxes on microsandbox: plan, apply, verify, destroy')
    .option('-V, --version', 'print the versions of owctl, the msb it uses, and node')
    .addOption(new Option('-f, --file <FILE>', 'the sandboxes file').default('openwork.yaml').env('OWCTL_FILE'))
    .option('--msb <PATH>', 'msb binary to use (else OWCTL_MSB, MSB_PATH, the bundled msb, PATH)')
    .option('--no-color', 'no colour in output (NO_COLOR is honoured too)')
    .showHelpAfterError('hint: run `owctl --help` for usage')
    // Options before the verb belong to owctl, after it to the verb: `owctl logs NAME -f` follows, while
    // `owctl -f FILE logs NAME -f` still names the file. Each verb repeats the global options (see commands.ts).
    .enablePositionalOptions()
    .exitOverride();
  // Before the subcommands exist: they copy these settings when created, so their usage errors go to `io` too.
  if (io !== undefined) program.configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  registerCommands(program, { setExit, ioFor });
  addHelp(program);
  // Printing the msb version is async (it runs msb): stop parsing here and let main() print it.
  program.on('option:version', () => {
    throw new VersionRequest();
  });
  return program;
}

class VersionRequest extends Error {}

/** `interrupts`: the process's signals (src/cli/run.ts); given with `io` undefined. */
export async function main(argv: string[], io?: CommandIO, interrupts?: Interrupts): Promise<number> {
  let code: number = EXIT.ok;
  const program = buildProgram(
    (value) => {
      code = value;
    },
    (global) => io ?? processIO({ noColor: !global.color, interrupts }),
    io,
  );
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof VersionRequest) {
      const global = program.opts<GlobalOptions>();
      const out = fittedIO(io ?? processIO({ noColor: !global.color }), wrapText);
      out.stdout(await (await import('./version.ts')).versionText(VERSION, global.msb, out));
      return EXIT.ok;
    }
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return EXIT.ok;
      const verb = eventStreamVerb(program);
      if (verb !== undefined) await usageEvents(error, verb, io?.stdout ?? ((text) => void process.stdout.write(text)));
      return EXIT.error;
    }
    throw error;
  }
  return code;
}

/** `apply`/`destroy` when that subcommand was given with --json: its stdout is an event stream even for a usage error. */
function eventStreamVerb(program: Command): string | undefined {
  const args = program.args;
  const verb = args.find((arg) => arg === 'apply' || arg === 'destroy');
  return verb !== undefined && args.slice(args.indexOf(verb)).includes('--json') ? verb : undefined;
}

async function usageEvents(error: CommanderError, verb: string, write: (text: string) => void): Promise<void> {
  const message = error.message.replace(/^error: /, '');
  await new EventStream(write)
    .closeOnError(async () => {
      throw new OwctlError('usage', message, { hint: `run \`owctl ${verb} --help\` for its flags` });
    })
    .catch(() => undefined);
}
