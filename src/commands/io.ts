import { Interrupts } from './interrupt.ts';
import { streamOutput, type ProcessOutput } from './process-output.ts';

/** What a command needs from its process: streams, environment, terminal facts. Tests pass their own. */
export interface CommandIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** stdin and stdout are terminals: prompts and live progress are allowed. */
  interactive: boolean;
  /** Colour on: stdout is a TTY, NO_COLOR is unset or empty, and --no-color was not given. */
  color: boolean;
  /** stdin is a terminal: apply and destroy may ask, even when stdout is piped (`owctl apply | tee log`). Default: interactive. */
  prompt?: boolean;
  /** stdout is a terminal this many columns wide: text is fitted to it (src/views/fit.ts); absent for pipes and files. */
  columns?: number;
  /** The same for stderr. */
  errColumns?: number;
  /** The process's SIGINT/SIGTERM/SIGHUP (interrupt.ts); absent: no signal reaches the command. */
  interrupts?: Interrupts;
}

/** Running as a GitHub Actions step: workflow commands and the step summary apply (src/views/github.ts). */
export function isGitHubActions(env: NodeJS.ProcessEnv): boolean {
  return env.GITHUB_ACTIONS === 'true';
}

/** `output`: where the text goes (process-output.ts); by default process.stdout and process.stderr. */
export function processIO(options: { noColor?: boolean; interrupts?: Interrupts; output?: ProcessOutput } = {}): CommandIO {
  const env = process.env;
  const output = options.output ?? streamOutput();
  const noColor = options.noColor === true || (env.NO_COLOR !== undefined && env.NO_COLOR !== '');
  const stdoutTerminal = output.terminal(1) !== undefined;
  // process.stdin is read only when asked about: creating it loads Node's stream and fs/promises modules (~9 % of a
  // validate's CPU), which commands that never prompt do not need (BENCHMARKS.md, start-up).
  return {
    stdout: output.stdout,
    stderr: output.stderr,
    env,
    cwd: process.cwd(),
    interactive: stdoutTerminal && Boolean(process.stdin.isTTY),
    color: stdoutTerminal && !noColor,
    get prompt() {
      return Boolean(process.stdin.isTTY);
    },
    ...terminalWidths(output),
    ...(options.interrupts === undefined ? {} : { interrupts: options.interrupts }),
  };
}

/** Widths of stdout and stderr when they are terminals that report one. */
function terminalWidths(output: ProcessOutput): Pick<CommandIO, 'columns' | 'errColumns'> {
  const width = (stream: NodeJS.WriteStream | undefined) => (stream !== undefined && stream.columns > 0 ? stream.columns : undefined);
  const columns = width(output.terminal(1));
  const errColumns = width(output.terminal(2));
  return { ...(columns === undefined ? {} : { columns }), ...(errColumns === undefined ? {} : { errColumns }) };
}

/**
 * The same IO with human text wrapped to the terminal's width; JSON (and every pipe or file) is written as is.
 */
export function fittedIO(io: CommandIO, wrap: (text: string, width: number | undefined) => string): CommandIO {
  if (io.columns === undefined && io.errColumns === undefined) return io;
  const { stdout, stderr } = io;
  return { ...io, stdout: (text) => stdout(wrap(text, io.columns)), stderr: (text) => stderr(wrap(text, io.errColumns)) };
}

const unsignalled = new WeakMap<CommandIO, Interrupts>();

/** The command's interrupts: the process's, or (in-process tests and embedders) a set no signal reaches. */
export function interruptsOf(io: CommandIO): Interrupts {
  if (io.interrupts !== undefined) return io.interrupts;
  let interrupts = unsignalled.get(io);
  if (interrupts === undefined) unsignalled.set(io, (interrupts = new Interrupts(io.stderr, () => undefined)));
  return interrupts;
}
