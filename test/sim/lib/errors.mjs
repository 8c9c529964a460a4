// Errors as msb 0.6.18 prints them: `error: <message>` then optional `  → hint` lines, exit 1 for runtime errors,
// exit 2 for clap's argument errors (whose text is pre-rendered, usage block included).

export class MsbError extends Error {
  /**
   * @param {string} message the text after `error: `
   * @param {{ hints?: string[], exitCode?: number, stdout?: string }} [options]
   *   stdout: printed before the error (msb prints a refused modify's JSON plan this way, with no stderr).
   */
  constructor(message, options = {}) {
    super(message);
    this.hints = options.hints ?? [];
    this.exitCode = options.exitCode ?? 1;
    this.stdout = options.stdout;
    this.silent = false;
  }

  render() {
    if (this.silent) return '';
    return [`error: ${this.message}`, ...this.hints.map((hint) => `  → ${hint}`)].join('\n') + '\n';
  }
}

/** A runtime error (exit 1). */
export function fail(message, hints = []) {
  return new MsbError(message, { hints });
}

/** An error msb has already rendered some other way (e.g. a JSON plan on stdout): exit 1, nothing on stderr. */
export function rendered(stdout) {
  const error = new MsbError('', { stdout });
  error.silent = true;
  return error;
}

/** clap's argument errors (exit 2), rendered the way clap 4 does. */
export class ClapError extends MsbError {
  constructor(text) {
    super(text, { exitCode: 2 });
    this.text = text;
  }

  render() {
    return `${this.text}\n`;
  }
}

const MORE = "For more information, try '--help'.";

export function unexpectedArgument(arg, usage, tip) {
  const tipBlock = tip ? `\n\n  tip: ${tip}` : '';
  return new ClapError(`error: unexpected argument '${arg}' found${tipBlock}\n\nUsage: ${usage}\n\n${MORE}`);
}

export function missingValue(display, possible) {
  const values = possible ? `\n  [possible values: ${possible.join(', ')}]` : '';
  return new ClapError(`error: a value is required for '${display}' but none was supplied${values}\n\n${MORE}`);
}

export function invalidValue(value, display, detail, possible) {
  if (possible) {
    return new ClapError(`error: invalid value '${value}' for '${display}'\n  [possible values: ${possible.join(', ')}]\n\n${MORE}`);
  }
  return new ClapError(`error: invalid value '${value}' for '${display}': ${detail}\n\n${MORE}`);
}

export function usedMultipleTimes(display, usage) {
  return new ClapError(`error: the argument '${display}' cannot be used multiple times\n\nUsage: ${usage}\n\n${MORE}`);
}

export function missingRequired(names, usage) {
  return new ClapError(
    `error: the following required arguments were not provided:\n${names.map((n) => `  ${n}`).join('\n')}\n\nUsage: ${usage}\n\n${MORE}`,
  );
}

export function unrecognizedSubcommand(name, usage, tip) {
  const tipBlock = tip ? `\n\n  tip: a similar subcommand exists: '${tip}'` : '';
  return new ClapError(`error: unrecognized subcommand '${name}'${tipBlock}\n\nUsage: ${usage}\n\n${MORE}`);
}

/** A feature real msb has that this simulator deliberately does not model: say so instead of faking it. */
export function unsupported(what) {
  return fail(`the owctl msb simulator does not implement ${what}`, [
    'see test/sim/README.md for what the simulator covers; use the real msb for this',
  ]);
}
