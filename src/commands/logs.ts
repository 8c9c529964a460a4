/**
 * `owctl logs NAME [-f] [--tail N]`: the OpenWork server's output, through the backend's log API where it has one.
 * The server prints its tokens at start-up: every secret owctl knows (the file's, and those the live sandbox holds)
 * is redacted (the people's access tokens on this machine too), across chunk boundaries, and terminal control other
 * than colour is removed.
 * Reading never changes state: the log lives in the guest and is read through `msb exec`, which boots a sandbox that
 * is not running, so a sandbox that does not exist or is not running is reported as such and nothing is run in it.
 */
import type { Backend } from '../apply/backend.ts';
import { EXIT, OwctlError, signalExit } from '../errors.ts';
import type { DesiredSandbox, DesiredState } from '../model/desired.ts';
import { rememberSecrets } from '../secrets/known.ts';
import { liveSecrets } from '../secrets/live.ts';
import { readTokenFile } from '../secrets/token-files.ts';
import { StreamSanitizer } from '../secrets/relay.ts';
import { openBackend, startMsb } from './backend.ts';
import { interruptsOf, type CommandIO } from './io.ts';
import { loadFile } from './load-file.ts';
import { liveProblem } from './verify-live.ts';

/** Statuses in which the guest runs: reading its log through exec boots nothing. */
const READABLE: ReadonlySet<string> = new Set(['Running', 'Starting']);

export async function logsCommand(options: { file: string; msb?: string; name: string; follow: boolean; tail: number }, io: CommandIO): Promise<number> {
  const early = startMsb(options.msb, io);
  const { desired, secrets } = await loadFile(options.file, io, 'logs', { optionalSecrets: true });
  const declared = desired.sandboxes.find((s) => s.name === options.name);
  if (declared === undefined) {
    throw new OwctlError('usage', `no sandbox named ${options.name} in ${options.file}`, { hint: 'run `owctl status` to list them' });
  }
  const backend = await openBackend(desired, secrets, io, early);
  if (backend.logs === undefined) {
    throw new OwctlError('backend.unsupported', `the ${backend.capabilities.backend} backend has no log API: owctl cannot read ${options.name}'s server output`, {
      hint: `read it where the engine runs (e.g. \`docker logs\` or \`kubectl logs\` for the sandbox's container); \`owctl verify ${options.name}\` checks the server`,
    });
  }
  const live = [...(await readableSandbox(backend, desired, declared)), ...(await accessValues(desired.dir, declared))];
  rememberSecrets(live);
  const sanitizer = new StreamSanitizer([...secrets, ...live]);
  // Ctrl-C (or SIGTERM/SIGHUP) is how a follow ends: stop reading, exit 130, no error.
  const interrupts = interruptsOf(io);
  interrupts.claim();
  const reader = backend.logs(options.name, { tail: options.tail, follow: options.follow, onData: (text) => io.stdout(sanitizer.push(text)) });
  const stop = () => reader.stop();
  interrupts.signal.addEventListener('abort', stop, { once: true });
  try {
    await reader.done;
    if (interrupts.signal.aborted) return signalExit(interrupts.by);
    return EXIT.ok;
  } finally {
    io.stdout(sanitizer.end());
    interrupts.signal.removeEventListener('abort', stop);
  }
}

/** The people's token values on this machine (a server that logs a request's token must not show it here either). */
async function accessValues(projectDir: string, declared: DesiredSandbox): Promise<string[]> {
  const values = await Promise.all((declared.access ?? []).map((e) => readTokenFile(projectDir, declared.name, e.person).catch(() => null)));
  return values.filter((value): value is string => value !== null);
}

/**
 * Refuses a sandbox whose log cannot be read without starting it; otherwise answers the secret env values it holds
 * (known even when the token variables are not set for this run). An engine that cannot be observed is an error too:
 * without its status, reading could boot the sandbox.
 */
async function readableSandbox(backend: Backend, desired: DesiredState, declared: DesiredSandbox): Promise<string[]> {
  const observed = await backend.observe({ ...desired, sandboxes: [declared] }, { parallelism: 4 });
  const problem = liveProblem(declared.name, desired.project, observed, { running: false });
  if (problem !== null) throw new OwctlError(problem.code, problem.message, { hint: problem.hint });
  const live = observed.sandboxes.find((s) => s.name === declared.name)!;
  if (!READABLE.has(live.status)) {
    const start = live.stoppedBy !== undefined ? `\`owctl apply --wake --target ${declared.name}\` starts it (msb stopped it at its ${live.stoppedBy})` : `\`owctl apply --target ${declared.name}\` starts it and launches its server`;
    throw new OwctlError('sandbox.not_running', `${declared.name} is ${live.status}: its OpenWork server is not running, so there is no server log to read (owctl logs never starts a sandbox)`, {
      hint: `${start}; then \`owctl logs ${declared.name}\``,
      details: { sandbox: declared.name, status: live.status },
    });
  }
  return liveSecrets(live, declared);
}
