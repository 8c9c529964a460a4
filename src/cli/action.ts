/**
 * How a verb's action runs: its flags and the global ones (given before or after the verb) become typed options,
 * the file is found (here or in a parent folder), the command gets its IO (fitted to the terminal for human text),
 * and its exit code or error is recorded. Shared by every verb's registration.
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import { dirname, relative, resolve } from 'node:path';
import { fittedIO, type CommandIO } from '../commands/io.ts';
import { findUpward } from '../config/find-file.ts';
import { OwctlError } from '../errors.ts';
import { wrapText } from '../views/fit.ts';
import { NAMES_COMMAND } from './names-command.ts';
import { runCommand, type GlobalOptions } from './run-command.ts';

export interface Wiring {
  setExit: (code: number) => void;
  ioFor: (global: GlobalOptions) => CommandIO;
}

export type Handler<T> = (options: T, global: GlobalOptions, io: CommandIO, args: string[]) => Promise<number>;

/** Verbs whose output is data or code, written as is even on a terminal. */
const VERBATIM = new Set(['completion', 'logs', NAMES_COMMAND]);

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

/** The default file here or in the nearest parent folder; a parent's is named on stderr, so no one edits the wrong one. */
function defaultFile(name: string, io: CommandIO, quiet: boolean): string {
  const found = findUpward(io.cwd, name);
  if (found === null || dirname(found) === resolve(io.cwd)) return name;
  if (!quiet) io.stderr(`using ${relative(io.cwd, found)} (found in a parent folder)\n`);
  return found;
}

function notFoundAbove(error: unknown): unknown {
  if (!(error instanceof OwctlError) || error.code !== 'config.not_found') return error;
  return new OwctlError('config.not_found', `${error.message} (nor in any parent folder)`, { hint: error.hint, details: error.details, cause: error });
}

/** The verb's name, with its parent's for a subcommand (`approvals allow`). */
function verbName(command: Command): string {
  return command.parent?.parent ? command.parent.name() : command.name();
}

/** Wraps a handler: global options, IO, error rendering, exit code. */
export function action<T extends { json?: boolean; format?: string }>(program: Command, wiring: Wiring, handler: Handler<T>) {
  return async (...received: unknown[]) => {
    const command = received[received.length - 1] as Command;
    const options = command.opts<T>();
    const given = globalOptions(program, command);
    const args = command.args;
    const json = options.json === true || options.format === 'json';
    // Human text fits the terminal; machine text (JSON, Markdown, scripts, relayed logs) is never reflowed.
    const verbatim = json || options.format === 'markdown' || VERBATIM.has(verbName(command));
    const io = verbatim ? wiring.ioFor(given) : fittedIO(wiring.ioFor(given), wrapText);
    const searched = searchesForFile(program, command);
    const global = searched ? { ...given, file: defaultFile(given.file, io, command.name() === NAMES_COMMAND) } : given;
    wiring.setExit(await runCommand(io, json, () => handler(options, global, io, args).catch((error: unknown) => Promise.reject(searched ? notFoundAbove(error) : error))));
  };
}
