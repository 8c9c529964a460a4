/**
 * A CLI run as this process: where its text goes, signals (with those kept while the script loaded), its exit code.
 * start.ts runs the whole CLI through it, validate-main.ts `owctl validate`'s plain forms.
 */
import type { CommandIO } from '../commands/io.ts';
import { streamOutput, type ProcessOutput } from '../commands/process-output.ts';
import { EXIT, signalExit } from '../errors.ts';
import { HANDLED_SIGNALS, Interrupts, ownProcessSignals } from '../commands/interrupt.ts';

/** A whole CLI: main.ts's, or validate-main.ts's. */
export type Main = (argv: string[], io?: CommandIO, interrupts?: Interrupts, output?: ProcessOutput) => Promise<number>;

/** `output`: the process's text (process-output.ts); the whole CLI's goes through process.stdout and process.stderr. */
export async function startWith(run: Main, output: ProcessOutput = streamOutput()): Promise<void> {
  // Every command reads the current folder (relative paths start there): one deleted under the shell gets a plain answer.
  if (!currentFolderExists()) {
    output.stderr('error: the current folder no longer exists (it was deleted or moved)\nhint: cd to your project folder (or any existing one) and run the command again\n');
    process.exit(EXIT.error);
  }

  const interrupts = new Interrupts(output.stderr);
  ownProcessSignals(interrupts);
  takeOverSignalsWhileLoading(interrupts);
  const returned = await run(process.argv, undefined, interrupts, output);
  // A run a signal ended exits 128 + its number, whichever way the command noticed it (a prompt says only "interrupted").
  const code = interrupts.by !== undefined && returned === EXIT.interrupted ? signalExit(interrupts.by) : returned;
  // After an interrupt, read-only work that was abandoned (an msb query, a health probe) must not hold the exit.
  if (interrupts.by !== undefined && code === signalExit(interrupts.by)) process.exit(code);
  process.exitCode = code;
}

/** bin/owctl.js keeps the signals that come while this bundle loads: they are answered now, in order. */
function takeOverSignalsWhileLoading(handler: Interrupts): void {
  const early = (globalThis as Record<symbol, unknown>)[Symbol.for('owctl.signalsWhileLoading')] as
    | { kept: NodeJS.Signals[]; keep: (signal: NodeJS.Signals) => void }
    | undefined;
  if (early === undefined) return;
  for (const signal of HANDLED_SIGNALS) process.off(signal, early.keep);
  for (const signal of early.kept.splice(0)) handler.receive(signal);
}

function currentFolderExists(): boolean {
  try {
    process.cwd();
    return true;
  } catch {
    return false;
  }
}
