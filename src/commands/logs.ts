/** `owctl logs NAME [-f] [--tail N]`: the OpenWork server's output, through the backend's log API where it has one. */
import { EXIT, OwctlError } from '../errors.ts';
import { openBackend, startMsb } from './backend.ts';
import { interruptsOf, type CommandIO } from './io.ts';
import { loadFile } from './load-file.ts';

export async function logsCommand(options: { file: string; msb?: string; name: string; follow: boolean; tail: number }, io: CommandIO): Promise<number> {
  const early = startMsb(options.msb, io);
  const { desired, secrets } = await loadFile(options.file, io, 'logs');
  if (!desired.sandboxes.some((s) => s.name === options.name)) {
    throw new OwctlError('usage', `no sandbox named ${options.name} in ${options.file}`, { hint: 'run `owctl status` to list them' });
  }
  const backend = await openBackend(desired, secrets, io, early);
  if (backend.logs === undefined) {
    throw new OwctlError('backend.unsupported', `the ${backend.capabilities.backend} backend has no log API: owctl cannot read ${options.name}'s server output`, {
      hint: `read it where the engine runs (e.g. \`docker logs\` or \`kubectl logs\` for the sandbox's container); \`owctl verify ${options.name}\` checks the server`,
    });
  }
  // Ctrl-C (or SIGTERM/SIGHUP) is how a follow ends: stop reading, exit 130, no error.
  const interrupts = interruptsOf(io);
  interrupts.claim();
  const reader = backend.logs(options.name, { tail: options.tail, follow: options.follow, onData: (text) => io.stdout(text) });
  const stop = () => reader.stop();
  interrupts.signal.addEventListener('abort', stop, { once: true });
  try {
    await reader.done;
    if (interrupts.signal.aborted) return EXIT.interrupted;
    return EXIT.ok;
  } finally {
    interrupts.signal.removeEventListener('abort', stop);
  }
}
