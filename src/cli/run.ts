/** The process entry: run the CLI and exit with its code. bin/owctl.js loads the compiled copy of this file. */
import { EXIT, signalExit } from '../errors.ts';
import { HANDLED_SIGNALS, Interrupts, ownProcessSignals } from '../commands/interrupt.ts';
import { main } from './main.ts';

// A closed terminal (SIGHUP) or a reader that went away (`owctl apply | head`) makes writes fail: that must not
// crash owctl before it has released its lock and reported what it can.
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);

const interrupts = new Interrupts((text) => process.stderr.write(text));
ownProcessSignals(interrupts);
takeOverSignalsWhileLoading(interrupts);
const returned = await main(process.argv, undefined, interrupts);
// A run a signal ended exits 128 + its number, whichever way the command noticed it (a prompt says only "interrupted").
const code = interrupts.by !== undefined && returned === EXIT.interrupted ? signalExit(interrupts.by) : returned;
// After an interrupt, read-only work that was abandoned (an msb query, a health probe) must not hold the exit.
if (interrupts.by !== undefined && code === signalExit(interrupts.by)) process.exit(code);
process.exitCode = code;

/** bin/owctl.js keeps the signals that come while this bundle loads: they are answered now, in order. */
function takeOverSignalsWhileLoading(handler: Interrupts): void {
  const early = (globalThis as Record<symbol, unknown>)[Symbol.for('owctl.signalsWhileLoading')] as
    | { kept: NodeJS.Signals[]; keep: (signal: NodeJS.Signals) => void }
    | undefined;
  if (early === undefined) return;
  for (const signal of HANDLED_SIGNALS) process.off(signal, early.keep);
  for (const signal of early.kept.splice(0)) handler.receive(signal);
}
