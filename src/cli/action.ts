/**
 * How a verb's action runs: its flags and the global ones (given before or after the verb) become typed options,
 * the command gets its IO, and its exit code or error is recorded. Shared by every verb's registration.
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import type { CommandIO } from '../commands/io.ts';
import { runCommand, type GlobalOptions } from './run-command.ts';

export interface Wiring {
  setExit: (code: number) => void;
  ioFor: (global: GlobalOptions) => CommandIO;
}

export type Handler<T> = (options: T, global: GlobalOptions, io: CommandIO, args: string[]) => Promise<number>;

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

/** Wraps a handler: global options, IO, error rendering, exit code. */
export function action<T extends { json?: boolean; format?: string }>(program: Command, wiring: Wiring, handler: Handler<T>) {
  return async (...received: unknown[]) => {
    const command = received[received.length - 1] as Command;
    const options = command.opts<T>();
    const global = globalOptions(program, command);
    const io = wiring.ioFor(global);
    const args = command.args;
    const json = options.json === true || options.format === 'json';
    wiring.setExit(await runCommand(io, json, () => handler(options, global, io, args)));
  };
}
