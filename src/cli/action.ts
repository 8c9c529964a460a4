/**
 * How a verb's action runs: its flags and the global ones (given before or after the verb) become typed options,
 * then run-verb.ts runs it. Shared by every verb's registration.
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import { runVerb, type Handler, type Wiring } from './run-verb.ts';
import type { GlobalOptions } from './run-command.ts';

export type { Handler, Wiring } from './run-verb.ts';

/**
 * The global options, repeated (hidden) on a verb so they may follow it too: `owctl plan -f FILE`. `logs` takes
 * only `--file` there, as its `-f` is --follow.
 */
export function globalFlags(command: Command, shortFile = true): Command {
  return command
    .addOption(new Option(shortFile ? '-f, --file <FILE>' : '--file <FILE>', 'the sandboxes file').hideHelp())
    .addOption(new Option('--msb <PATH>', 'msb binary to use').hideHelp())
    .addOption(new Option('--no-color', 'no colour in output').hideHelp());
}

/** The global options as given before the verb, overridden by those given after it. */
export function globalOptions(program: Command, command: Command): GlobalOptions {
  const before = program.opts<GlobalOptions>();
  const after = command.opts<Partial<GlobalOptions>>();
  return { file: after.file ?? before.file, msb: after.msb ?? before.msb, color: before.color && after.color !== false };
}

/** Neither -f (before or after the verb) nor OWCTL_FILE named the file, and the verb reads an existing one. */
function searchesForFile(program: Command, command: Command): boolean {
  return program.getOptionValueSource('file') === 'default' && command.opts<Partial<GlobalOptions>>().file === undefined && command.name() !== 'init';
}

/** The verb's name, with its parent's for a subcommand (`approvals allow`). */
function verbName(command: Command): string {
  return command.parent?.parent ? command.parent.name() : command.name();
}

/** Wraps a handler: global options, IO, error rendering, exit code. */
export function action<T extends { json?: boolean; format?: string }>(program: Command, wiring: Wiring, handler: Handler<T>) {
  return async (...received: unknown[]) => {
    const command = received[received.length - 1] as Command;
    const verb = { name: command.name(), verb: verbName(command), args: command.args, searched: searchesForFile(program, command) };
    await runVerb(verb, command.opts<T>(), globalOptions(program, command), wiring, handler);
  };
}
