/** `owctl logs NAME [-f] [--tail N]`: the OpenWork server's output, read through msb from inside the sandbox. */
import { EXIT, OwctlError } from '../errors.ts';
import type { CommandIO } from './io.ts';
import { loadFile } from './load-file.ts';
import { openMsb } from './snapshot.ts';

export async function logsCommand(options: { file: string; msb?: string; name: string; follow: boolean; tail: number }, io: CommandIO): Promise<number> {
  const { desired } = await loadFile(options.file, io, 'logs');
  if (!desired.sandboxes.some((s) => s.name === options.name)) {
    throw new OwctlError('usage', `no sandbox named ${options.name} in ${options.file}`, { hint: 'run `owctl status` to list them' });
  }
  const msb = await openMsb(options.msb, io);
  const handle = msb.serverLog(options.name, { tail: options.tail, follow: options.follow });
  const stop = () => handle.stop();
  process.once('SIGINT', stop);
  try {
    handle.stdout.on('data', (chunk: Buffer) => io.stdout(chunk.toString('utf8')));
    const result = await handle.done;
    if (result.exitCode !== 0 && result.exitCode !== undefined && !options.follow) {
      throw new OwctlError('msb.failed', `could not read the server log of ${options.name}: ${result.stderr.trim() || `exit ${result.exitCode}`}`, {
        hint: `is it running? \`owctl status ${options.name}\`; \`owctl apply\` starts it`,
      });
    }
    return EXIT.ok;
  } finally {
    process.off('SIGINT', stop);
  }
}
