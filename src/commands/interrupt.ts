/**
 * SIGINT/SIGTERM during apply or destroy: start nothing new, let in-flight msb calls finish (they are bounded by
 * their own timeouts), then report and exit 130. A second signal leaves at once.
 */
import type { CommandIO } from './io.ts';

export async function withInterrupts<T>(io: CommandIO, body: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      io.stderr(`\n${signal} again: leaving now; run the command again to converge.\n`);
      process.exit(130);
    }
    io.stderr(`\n${signal} received: starting nothing new, waiting for in-flight changes to finish…\n`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await body(controller.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
