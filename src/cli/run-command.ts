/** Running one command: any error becomes output plus an exit code; a stack trace only with OWCTL_DEBUG=1. */
import { interruptsOf, type CommandIO } from '../commands/io.ts';
import { EXIT } from '../errors.ts';
import { knownSecrets } from '../secrets/known.ts';
import { sanitize } from '../secrets/relay.ts';
import { errorJson, renderError } from '../views/error.ts';
import { inEventStream } from '../views/event-stream.ts';

export interface GlobalOptions {
  file: string;
  msb?: string;
  color: boolean;
}

export async function runCommand(io: CommandIO, json: boolean, body: () => Promise<number>): Promise<number> {
  try {
    // A command that has not claimed interrupts (it changes nothing) is cut short by a signal.
    return await Promise.race([body(), interruptsOf(io).unclaimed()]);
  } catch (error) {
    // Last line of defence: whatever produced the message, no secret this run has read gets out with it.
    const secrets = knownSecrets();
    if (json && !inEventStream(error)) io.stdout(`${sanitize(JSON.stringify({ format_version: '1.0', error: errorJson(error) }), secrets)}\n`);
    io.stderr(sanitize(renderError(error, { color: io.color && !json, debug: io.env.OWCTL_DEBUG === '1', cwd: io.cwd }), secrets));
    return typeof (error as { exitCode?: unknown }).exitCode === 'number' ? (error as { exitCode: number }).exitCode : EXIT.error;
  }
}
