/**
 * `owctl keepalive`: makes idle_timeout mean "no client used it for that long". msb's idle monitor counts exec
 * activity only, never traffic on published ports, so a sandbox used only by remote OpenWork clients is drained while
 * in use. Each pass asks every running sandbox with an idle_timeout when a client last used it (its OpenCode
 * sessions, through the client routes; published-port reads are no msb activity themselves) and `msb touch`es the ones
 * used within their idle_timeout. Runs until interrupted, or one pass with --once (for cron or a systemd timer).
 * The loop itself is keepalive-loop.ts.
 */
import { setTimeout as wait } from 'node:timers/promises';
import { interruptsOf, type CommandIO } from './io.ts';
import { loadFile } from './load-file.ts';
import { openMsb } from './backend.ts';
import { keepaliveLoop } from './keepalive-loop.ts';

export { defaultIntervalSecs } from './keepalive-loop.ts';

export interface KeepaliveOptions {
  file: string;
  msb?: string;
  names: string[];
  /** Between passes; default a third of the shortest idle_timeout, within 5 s – 5 min. */
  intervalSecs?: number;
  once: boolean;
}

export async function keepaliveCommand(options: KeepaliveOptions, io: CommandIO): Promise<number> {
  const msb = await openMsb(options.msb, io);
  // The first read reports a broken file before anything runs; each pass reads it again.
  let loaded: Promise<Awaited<ReturnType<typeof loadFile>>> | undefined = loadFile(options.file, io, 'keepalive');
  await loaded;
  // A signal ends the loop after the pass in flight (its msb touch calls are short).
  const interrupts = interruptsOf(io);
  interrupts.claim();
  const { lastClientActivity } = await import('../verify/activity.ts');
  return keepaliveLoop(
    options,
    {
      msb,
      load: async () => {
        const next = loaded ?? loadFile(options.file, io, 'keepalive');
        loaded = undefined;
        return (await next).desired;
      },
      activity: (url, token, signal) => lastClientActivity(url, token, signal),
      sleep: (ms, signal) => wait(ms, undefined, { signal }).catch(() => undefined),
      now: () => Date.now(),
      log: (line) => io.stdout(`${line}\n`),
    },
    interrupts.signal,
  );
}
