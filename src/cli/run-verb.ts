/**
 * How a parsed verb runs: the file is found (here or in a parent folder), the command gets its IO (fitted to the
 * terminal for human text), and its exit code or error is recorded. Free of commander, so that validate-main.ts,
 * which parses `owctl validate`'s plain forms itself, runs the verb exactly as action.ts does.
 */
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

/** A verb as parsed: its name, the name its output rules go by (`approvals` for `approvals allow`), its operands. */
export interface ParsedVerb {
  name: string;
  verb: string;
  args: string[];
  /** The file is the default one, searched for here and in parent folders. */
  searched: boolean;
}

/** Runs a parsed verb's handler (for commander's action in action.ts, and validate-main.ts, which parses without it). */
export async function runVerb<T extends { json?: boolean; format?: string }>(parsed: ParsedVerb, options: T, given: GlobalOptions, wiring: Wiring, handler: Handler<T>): Promise<void> {
  const json = options.json === true || options.format === 'json';
  // Human text fits the terminal; machine text (JSON, Markdown, scripts, relayed logs) is never reflowed.
  const verbatim = json || options.format === 'markdown' || VERBATIM.has(parsed.verb);
  const io = verbatim ? wiring.ioFor(given) : fittedIO(wiring.ioFor(given), wrapText);
  const { searched } = parsed;
  const global = searched ? { ...given, file: defaultFile(given.file, io, parsed.name === NAMES_COMMAND) } : given;
  wiring.setExit(await runCommand(io, json, () => handler(options, global, io, parsed.args).catch((error: unknown) => Promise.reject(searched ? notFoundAbove(error) : error))));
}
