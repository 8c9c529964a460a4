/**
 * The msb driver: one method per msb operation owctl uses, typed in and out. It builds argv, spawns msb (run.ts),
 * parses and normalises JSON (normalize.ts) and maps failures (errors.ts); it makes no decisions.
 * Invariant: no secret ever appears in argv — sandbox env (with the tokens) only travels in a private conf file.
 */
import { OwctlError, type ErrorCode } from '../errors.ts';
import type { DesiredSandbox } from '../model/desired.ts';
import { guestEnv, secretEnvKeys } from '../model/desired.ts';
import type { ObservedImage, ObservedSandbox, StopCause } from '../model/observed.ts';
import { buildConf, withConfFile } from './conf.ts';
import { credentialEnv, networkArgs } from './network-args.ts';
import { msbEnv } from './env.ts';
import { parseMsbError, stripAnsi } from './errors.ts';
import type { ModifyChanges, ModifyOptions, ModifyResult } from './modify.ts';
import { modifyArgs, parseModifyResult, refusedModify } from './modify.ts';
import type { ListedSandbox } from './normalize.ts';
import { redactingSpawner } from './redacting-spawner.ts';
import { normaliseImage, normaliseList, normaliseSandbox, parseJson } from './normalize.ts';
import type { SpawnRequest, SpawnResult, Spawner, StreamHandle } from './run.ts';
import { processSpawner, failureError, runChecked } from './run.ts';
import { STOP_CAUSE_TAIL, stopCauseFromSystemLog } from './stop-cause.ts';
import type { ServerStopOutcome } from './workload.ts';
import { SERVER_STOP_SLACK_SECS, SERVER_STOP_WAIT_SECS, WORKLOAD_LOG, serverStopArgs, serverStopOutcome, workloadLaunchArgs } from './workload.ts';

/** The msb version owctl is built and tested against. */
export const PINNED_MSB_VERSION = '0.6.18';

export interface Timeouts {
  /** ls, inspect, modify, context, image inspect, version, doctor. */
  query: number;
  /** create (may pull the image and waits for the guest agent), pull, load. */
  create: number;
  /** start, stop, rm, exec. */
  lifecycle: number;
}

/** How long a graceful stop may take before owctl forces it, and the slack msb gets on top to answer. */
export const STOP_GRACE_SECS = 10;
const STOP_SLACK_SECS = 15;
/** A graceful stop that failed for one of these will not do better with --force. */
const FINAL_STOP_FAILURES: ReadonlySet<string> = new Set(['msb.sandbox_not_found', 'msb.not_found', 'msb.home_newer', 'msb.unsupported_backend']);

/** Attempts at a create whose record msb lost (msb 0.7 under concurrent creates). */
export const CREATE_ATTEMPTS = 4;
/** A create that failed this way may or may not have left the sandbox recorded: inspect says which. */
const MAYBE_UNRECORDED: ReadonlySet<ErrorCode> = new Set(['msb.start_failed', 'msb.lost_record', 'msb.database']);

export const DEFAULT_TIMEOUTS: Timeouts = { query: 60_000, create: 900_000, lifecycle: 180_000 };

export interface MsbOptions {
  spawner?: Spawner;
  timeouts?: Partial<Timeouts>;
  /** After a timed-out call's SIGTERM, how long before SIGKILL of its process group. */
  killGraceMs?: number;
  /** Most bytes read from each of msb's stdout and stderr per call. */
  maxOutputBytes?: number;
}

export interface BackendContext {
  kind: 'local' | 'cloud';
  source: string;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface LogOptions {
  tail?: number;
  /** msb's `--source` values (default: the workload's stdout and stderr). */
  source?: string[];
}

export class Msb {
  readonly path: string;
  private readonly env: Record<string, string>;
  private readonly spawner: Spawner;
  private readonly timeouts: Timeouts;
  private readonly limits: Pick<SpawnRequest, 'killGraceMs' | 'maxOutputBytes'>;
  private readonly secrets = new Set<string>();

  constructor(path: string, env: NodeJS.ProcessEnv, options: MsbOptions = {}) {
    this.path = path;
    this.env = msbEnv(env);
    this.spawner = redactingSpawner(options.spawner ?? processSpawner, () => [...this.secrets]);
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
    this.limits = {
      ...(options.killGraceMs === undefined ? {} : { killGraceMs: options.killGraceMs }),
      ...(options.maxOutputBytes === undefined ? {} : { maxOutputBytes: options.maxOutputBytes }),
    };
  }

  /** Values to redact from msb's stderr before it becomes part of an error (the secrets the file yields). */
  addSecrets(secrets: Iterable<string>): void {
    for (const secret of secrets) if (secret !== '') this.secrets.add(secret);
  }

  /** `msb --version` → `0.6.18`. */
  async version(): Promise<string> {
    const { stdout } = await this.run(['--version'], 'query', '--version');
    const match = /(\d+\.\d+\.\d+[^\s]*)/.exec(stdout);
    if (!match?.[1]) {
      throw new OwctlError('msb.bad_output', `unexpected output from msb --version: ${stdout.trim()}`, {
        hint: 'is this msb? point owctl at msb 0.6.18 with --msb PATH or OWCTL_MSB (`owctl doctor` shows which one it found)',
      });
    }
    return match[1];
  }

  async context(): Promise<BackendContext> {
    const value = parseJson((await this.run(['context', '--format', 'json'], 'query')).stdout, 'context') as Record<string, unknown>;
    if (value?.kind !== 'local' && value?.kind !== 'cloud') {
      throw new OwctlError('msb.bad_output', `unexpected backend kind from msb context: ${JSON.stringify(value?.kind)}`, {
        hint: 'owctl speaks msb 0.6.18; `owctl doctor` shows the msb it found and its version',
      });
    }
    return { kind: value.kind, source: String(value.source ?? '') };
  }

  /** `msb doctor`: a non-zero exit is a verdict (e.g. no CPU virtualisation), not a failure of the call. */
  async doctor(): Promise<{ ok: boolean; checks: string }> {
    const request = this.request(['doctor'], 'query');
    const result = await this.spawner.run(request);
    if (result.exitCode === undefined) throw failureError(request, result, 'doctor');
    return { ok: result.exitCode === 0, checks: stripAnsi(`${result.stdout}${result.stderr}`).trim() };
  }

  /** Sandboxes carrying every given label (exact match). */
  async list(labels: Record<string, string> = {}): Promise<ListedSandbox[]> {
    const args = ['ls', '--format', 'json', ...Object.entries(labels).flatMap(([k, v]) => [`--label=${k}=${v}`])];
    return normaliseList(parseJson((await this.run(args, 'query', 'ls')).stdout, 'ls'));
  }

  /** The sandbox's stored config, normalised; null when there is no sandbox of that name. */
  async inspect(name: string): Promise<ObservedSandbox | null> {
    const result = await this.runOrMissing(['inspect', operand(name), '--format', 'json'], 'inspect', 'sandbox not found');
    return result === null ? null : normaliseSandbox(parseJson(result.stdout, 'inspect'));
  }

  /** The cached image's facts; null when `ref` is not in msb's cache. */
  async imageInspect(ref: string): Promise<ObservedImage | null> {
    const result = await this.runOrMissing(['image', 'inspect', operand(ref), '--format', 'json'], 'image inspect', 'image not found');
    return result === null ? null : normaliseImage(parseJson(result.stdout, 'image inspect'));
  }

  /** `msb load -i FILE -t REF`: a docker-save or OCI-layout tar, tagged `ref`. */
  async imageLoad(archivePath: string, ref: string): Promise<void> {
    await this.run(['load', '--quiet', '-i', operand(archivePath), '-t', operand(ref)], 'create', 'load');
  }

  async pull(ref: string): Promise<void> {
    await this.run(['pull', '--quiet', operand(ref)], 'create', 'pull');
  }

  /**
   * Creates `spec` with `ownerLabels` (owctl's labels) from a private conf file; argv is only the name and the file.
   * msb boots the sandbox as part of create: on a host that cannot boot VMs this throws msb.start_failed, and the
   * sandbox stays recorded (Stopped).
   */
  async create(spec: DesiredSandbox, ownerLabels: Record<string, string>): Promise<void> {
    this.addSecrets(secretValues(spec));
    const conf = buildConf(spec, ownerLabels);
    // Credential values reach msb only through its environment: it reads them when it boots the sandbox.
    const env = { ...conf.env, ...credentialEnv(spec.credentials) };
    await withConfFile(conf, async (path, readBy) => {
      const args = (replace: boolean) => ['create', '--quiet', ...(replace ? ['--replace'] : []), '--name', operand(spec.name), '--conf', path, ...networkArgs(spec)];
      // msb 0.7 can drop a new sandbox's row while other creates run at once, leaving its folder, so a plain create
      // then says "already exists" and rm "not found". It says so with `FOREIGN KEY constraint failed`
      // (msb.lost_record), with a database error (msb.database), and under load also with nothing but an ordinary
      // failed boot (`failed to start`): a failed create counts as recorded only when inspect finds it. Once a record
      // is lost, this driver's creates run one at a time, and the lost one is created again with --replace (which
      // clears only that orphaned folder: there is no record to lose). A create that succeeds costs nothing more; a
      // failed one, one inspect.
      for (let attempt = 1; ; attempt += 1) {
        try {
          const request = { ...this.request(args(attempt > 1), 'create', env), onSpawn: readBy };
          return await this.serialised(() => runChecked(this.spawner, request, 'create', { image: spec.image.ref }));
        } catch (error) {
          if (!(error instanceof OwctlError) || !MAYBE_UNRECORDED.has(error.code)) throw error;
          if (error.code !== 'msb.start_failed') this.createsOneAtATime = true;
          if ((await this.inspect(spec.name)) !== null) {
            if (error.code === 'msb.start_failed') throw error;
            throw new OwctlError('msb.start_failed', `msb create: ${spec.name} was recorded but not started (${error.message})`, {
              hint: '`owctl apply` starts it; `owctl doctor` checks that this host can boot sandboxes',
              cause: error,
              details: error.details,
            });
          }
          this.createsOneAtATime = true;
          if (attempt >= CREATE_ATTEMPTS) throw error;
        }
      }
    });
  }

  private createsOneAtATime = false;
  private createQueue: Promise<unknown> = Promise.resolve();

  private serialised<T>(body: () => Promise<T>): Promise<T> {
    if (!this.createsOneAtATime) return body();
    const result = this.createQueue.then(body, body);
    this.createQueue = result.catch(() => undefined);
    return result;
  }

  /** `credentials`: the values msb reads when it boots the sandbox (its `--secret` references), passed in its environment. */
  async start(name: string, credentials?: DesiredSandbox['credentials']): Promise<void> {
    this.addSecrets(Object.values(credentialEnv(credentials)));
    // No --quiet on start/stop/rm: msb 0.6.18 then swallows the error message too (exit 1, empty stderr).
    await this.run(['start', operand(name)], 'lifecycle', 'start', credentialEnv(credentials));
  }

  /**
   * Stops `name` within a bound: gracefully for `graceSecs` (`stop -t`), then `stop --force`. msb 0.6.18 force-kills
   * by itself when `-t` runs out; msb 0.7 fails instead ("no kill was requested"), hence the second call.
   */
  async stop(name: string, options: { graceSecs?: number } = {}): Promise<void> {
    const grace = options.graceSecs ?? STOP_GRACE_SECS;
    const request = { ...this.request(['stop', '-t', String(grace), operand(name)], 'lifecycle'), timeoutMs: (grace + STOP_SLACK_SECS) * 1000 };
    const result = await this.spawner.run(request);
    if (result.exitCode === 0) return;
    const failure = failureError(request, result, 'stop');
    if (!result.timedOut && FINAL_STOP_FAILURES.has(failure.code)) throw failure;
    await this.run(['stop', '--force', operand(name)], 'lifecycle', 'stop');
  }

  /** `msb touch`: refreshes a running sandbox's idle timer (msb's idle monitor counts no published-port traffic). */
  async touch(name: string): Promise<void> {
    await this.run(['touch', name], 'query', 'touch');
  }

  /** `force` stops a running sandbox first (without it msb refuses: msb.sandbox_running). */
  async remove(name: string, options: { force?: boolean } = {}): Promise<void> {
    await this.run(['rm', ...(options.force ? ['--force'] : []), operand(name)], 'lifecycle', 'rm');
  }

  /** `msb modify`. See modify.ts: env values go on argv, so secret keys are refused. */
  async modify(name: string, changes: ModifyChanges, options: ModifyOptions = {}): Promise<ModifyResult> {
    // `--secret` reads a rotated value, and `--restart` boots with every value: both from msb's environment.
    this.addSecrets(Object.values(credentialEnv(changes.credentials)));
    const request = this.request(modifyArgs(operand(name), changes, options), 'query', credentialEnv(changes.credentials));
    const result = await this.spawner.run(request);
    if (result.exitCode === 0) return parseModifyResult(result.stdout);
    // A refused modify (a running sandbox, a change that needs a restart, no --restart) exits 1 with its JSON plan
    // on stdout and nothing on stderr.
    if (result.exitCode === 1 && parseMsbError(result.stderr) === null && result.stdout.trim().startsWith('{')) {
      throw refusedModify(name, parseModifyResult(result.stdout));
    }
    throw failureError(request, result, 'modify');
  }

  /**
   * Runs `argv` in a running sandbox and returns its exit code and output. Throws only for msb's own failures
   * (sandbox missing, failed to start…); a command that exits non-zero is a result. Note: msb 0.6.18 boots a stopped
   * sandbox to exec in it.
   */
  async exec(name: string, argv: readonly string[]): Promise<ExecResult> {
    const request = this.request(['exec', operand(name), '--', ...argv], 'lifecycle');
    const result = await this.spawner.run(request);
    const report = result.exitCode === 0 ? null : parseMsbError(result.stderr);
    if (result.exitCode === undefined || (report !== null && isMsbCategory(report.category))) {
      throw failureError(request, result, 'exec');
    }
    return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr };
  }

  /** Starts the OpenWork server detached (see workload.ts); returns once it is backgrounded in the guest. */
  async launchWorkload(name: string, argv: readonly string[]): Promise<void> {
    if (argv.length === 0) {
      throw new OwctlError('apply.failed', `no workload command to launch in ${name}`, { hint: `set sandboxes.${name}.command to the OpenWork server's start command` });
    }
    await this.run(workloadLaunchArgs(operand(name), argv), 'lifecycle', 'exec');
  }

  /**
   * Asks the OpenWork server of a running sandbox to stop: SIGTERM to the pid its launch recorded, then a wait of up
   * to `waitSecs` (see workload.ts). msb's own stop would SIGKILL it. Never call it on a stopped sandbox: msb exec
   * boots one to run the command.
   */
  async stopServer(name: string, waitSecs = SERVER_STOP_WAIT_SECS): Promise<ServerStopOutcome> {
    // Bounded as the wait is, not as other lifecycle calls: msb's own --timeout ends it first, this if msb hangs.
    const request = { ...this.request(serverStopArgs(operand(name), waitSecs), 'lifecycle'), timeoutMs: (waitSecs + SERVER_STOP_SLACK_SECS) * 1000 };
    const result = await this.spawner.run(request);
    const outcome = result.exitCode === undefined ? null : serverStopOutcome(result.exitCode);
    if (outcome !== null) return outcome;
    throw failureError(request, result, 'exec');
  }

  /** The OpenWork server's output (the workload log in the guest), streamed; `follow` keeps it open like tail -F. */
  serverLog(name: string, options: { tail: number; follow: boolean }): StreamHandle {
    const tail = ['tail', '-n', String(options.tail), ...(options.follow ? ['-F'] : []), WORKLOAD_LOG];
    return this.spawner.stream({ ...this.request(['exec', operand(name), '--', ...tail], 'query'), timeoutMs: options.follow ? 0 : this.timeouts.query });
  }

  /** Whether msb's idle-timeout or max-duration policy ended the sandbox's latest run (see stop-cause.ts). */
  async stopCause(name: string): Promise<StopCause | null> {
    const args = ['logs', operand(name), '--no-color', '--source', 'system', '--json', '--tail', String(STOP_CAUSE_TAIL)];
    return stopCauseFromSystemLog((await this.run(args, 'query', 'logs')).stdout);
  }

  /** The sandbox's captured output as text, or — with `follow` — a stream until stopped or the sandbox stops. */
  logs(name: string, options: LogOptions & { follow: true }): StreamHandle;
  logs(name: string, options?: LogOptions & { follow?: false }): Promise<string>;
  logs(name: string, options: LogOptions & { follow?: boolean } = {}): StreamHandle | Promise<string> {
    const args = ['logs', operand(name), '--no-color'];
    if (options.tail !== undefined) args.push('--tail', String(options.tail));
    if (options.source !== undefined && options.source.length > 0) args.push('--source', options.source.join(','));
    if (options.follow === true) {
      // A follow runs until stopped: no timeout.
      return this.spawner.stream({ ...this.request([...args, '--follow'], 'query'), timeoutMs: 0 });
    }
    return this.run(args, 'query', 'logs').then((result) => result.stdout);
  }

  private request(args: string[], timeout: keyof Timeouts, extraEnv: Record<string, string> = {}): SpawnRequest {
    return { file: this.path, args, env: { ...this.env, ...extraEnv }, timeoutMs: this.timeouts[timeout], ...this.limits };
  }

  private run(args: string[], timeout: keyof Timeouts, subcommand = args[0] ?? 'msb', extraEnv?: Record<string, string>): Promise<SpawnResult> {
    return runChecked(this.spawner, this.request(args, timeout, extraEnv), subcommand);
  }

  /** Like run, but a failure in `missingCategory` (e.g. `sandbox not found`) gives null. */
  private async runOrMissing(args: string[], subcommand: string, missingCategory: string): Promise<SpawnResult | null> {
    const request = this.request(args, 'query');
    const result = await this.spawner.run(request);
    if (result.exitCode === 0) return result;
    if (result.exitCode === 1 && parseMsbError(result.stderr)?.category === missingCategory) return null;
    throw failureError(request, result, subcommand);
  }
}

/**
 * A value from the file or the command line placed where msb expects an operand: one starting with `-` would be
 * read as an option (`--help`, `--force`), so it never reaches msb. The file's checks refuse such values first.
 */
export function operand(value: string): string {
  if (value.startsWith('-') || value === '') {
    throw new OwctlError('msb.argument', `refusing to pass ${JSON.stringify(value)} to msb: it would be read as an option`, {
      hint: 'names, image references and paths must not start with "-"',
    });
  }
  return value;
}

const MSB_CATEGORIES = new Set([
  'sandbox not found',
  'sandbox already exists',
  'sandbox still running',
  'invalid config',
  'failed to start',
  'image error',
  'image not found',
  'volume not found',
]);

function isMsbCategory(category: string | null): boolean {
  return category !== null && MSB_CATEGORIES.has(category);
}

function secretValues(spec: DesiredSandbox): string[] {
  const env = guestEnv(spec);
  return [...[...secretEnvKeys(spec)].map((key) => env[key] ?? ''), ...Object.values(credentialEnv(spec.credentials))];
}
