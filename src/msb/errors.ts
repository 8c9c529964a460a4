/**
 * msb reports failures as stderr lines `error: <category>: <detail>` followed by optional `  → hint` lines, exit 1 for
 * runtime errors and 2 for argument errors. This is the one place that reads them: each known category maps to a
 * stable OwctlError code, so callers branch on `code`, never on msb's text.
 */
import { DEMO_COMMAND } from '../model/image-ref.ts';
import type { ErrorCode } from '../errors.ts';
import { OwctlError } from '../errors.ts';

export interface MsbErrorReport {
  /** msb's category text (`sandbox not found`), or null when the line has none. */
  category: string | null;
  /** The `error:` line without its `error: ` prefix. */
  message: string;
  /** The `→` lines that follow it, without the arrow. */
  hints: string[];
}

/** Category prefixes (the text after `error: `) → owctl codes. Order matters only where prefixes overlap (none do). */
const CATEGORIES: ReadonlyArray<readonly [RegExp, ErrorCode]> = [
  [/^sandbox not found:/, 'msb.sandbox_not_found'],
  [/^sandbox already exists:/, 'msb.sandbox_exists'],
  [/^sandbox still running:/, 'msb.sandbox_running'],
  // msb 0.7's npm build has no cloud backend: selecting it (MSB_BACKEND=cloud) fails every command this way.
  [/^invalid config: the cloud backend is not available/, 'msb.unsupported_backend'],
  [/^invalid config:/, 'msb.invalid_config'],
  // What `--conf FILE` parsing reports (unknown key, wrong type): `invalid sandbox configuration PATH: …`.
  [/^invalid sandbox configuration /, 'msb.invalid_config'],
  [/^image error:/, 'msb.image'],
  [/^image not found:/, 'msb.image'],
  // `msb pull` reports an unreachable or unknown registry this way; to the user it is an image problem.
  [/^registry error:/, 'msb.image'],
  [/^volume not found:/, 'msb.volume_not_found'],
  // `failed to start "NAME": detail` from `msb start`, or `failed to start "NAME"` + hint lines from create/exec.
  [/^failed to start "[^"]*"/, 'msb.start_failed'],
  // msb 0.7.2 when another msb process writes the database at the same moment: seen as `(code: 26) file is not a
  // database` on a create among 8 at once on a loaded host. Whether the sandbox was recorded is then unknown.
  [/^database error: /, 'msb.database'],
  // msb 0.7+ migrates MSB_HOME one way; an older msb then fails every command with this.
  [/^runtime error: database schema is newer than this msb binary/, 'msb.home_newer'],
];

/** msb could not reach the registry (offline, DNS, TLS): the pull, not the reference, failed. */
const REGISTRY_DOWN = /(^|: )registry error: error sending request/;

/** msb 0.7's parallel creates can fail to record a sandbox: `failed to start` + a hint naming the lost insert. */
const LOST_RECORD = /FOREIGN KEY constraint failed/;

/** What a failure is about, for hints whose commands must run as printed. */
interface Subject {
  sandbox?: string;
  image?: string;
  volume?: string;
}

/** A name or reference as a shell word: as is when it is plain, else single-quoted. */
function word(value: string): string {
  return /^[\w./@+,:=-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Hints that name what the failure is about; without it they describe the command rather than print it wrongly. */
const SUBJECT_HINTS: Partial<Record<ErrorCode, (subject: Subject) => string>> = {
  'msb.sandbox_running': ({ sandbox }) =>
    sandbox === undefined ? 'stop it first (msb stop with its name), or let `owctl apply` do it' : `stop it first (\`msb stop ${word(sandbox)}\`), or let \`owctl apply\` do it`,
  'msb.image': ({ image }) =>
    image === undefined
      ? 'check the image reference in the file and that the registry is reachable (msb pull with that reference), or give the image as { ref, archive: ./image.tar } in the file to load it from a local archive'
      : `check the image reference and that the registry is reachable (\`msb pull ${word(image)}\`), or load it from a local archive with image: { ref: ${image}, archive: <path of the .tar> } in the file`,
  'msb.volume_not_found': ({ volume }) =>
    volume === undefined ? 'create it (msb volume create with its name), or remove the volume mount from the file' : `create it with \`msb volume create ${word(volume)}\`, or remove the volume mount from the file`,
};

/** What the failure is about: from msb's message, the call, or what the caller knows (the image of a create). */
function subjectOf(failure: MsbFailure, message: string): Subject {
  const [verb, operand] = (failure.call ?? '').split(' ');
  const sandbox = /sandbox '([^']+)'/.exec(message)?.[1] ?? (verb !== 'pull' && operand ? operand : undefined);
  const image = failure.image ?? /image not cached: (\S+)/.exec(message)?.[1] ?? (verb === 'pull' ? operand : undefined);
  const volume = /^volume not found: (\S+)/.exec(message)?.[1];
  return { ...(sandbox ? { sandbox } : {}), ...(image ? { image } : {}), ...(volume ? { volume } : {}) };
}

/** What to do about each kind of failure when msb itself gives no `→` hint. */
const HINTS: Partial<Record<ErrorCode, string>> = {
  'msb.sandbox_not_found': 'it was removed outside owctl; `owctl plan` shows what exists now',
  'msb.sandbox_exists': 'another sandbox holds this name (`msb ls` lists them); rename it in the file or remove the other one',
  'msb.invalid_config': 'check the value against msb 0.6.18\'s rules with `owctl validate`; if the file is valid, please report it with `owctl doctor` output',
  'msb.start_failed': 'run `owctl doctor`: booting needs CPU virtualisation (KVM) on this host',
  'msb.failed': 'run `owctl doctor` to check the msb binary and the host',
  'msb.unsupported_backend': 'owctl manages local sandboxes: unset MSB_BACKEND / MSB_PROFILE (`msb context` shows why another backend is active)',
  'msb.home_newer':
    'a newer msb (0.7 or later) migrated MSB_HOME, and this older msb cannot read it: a downgrade it cannot undo. Use the newer msb (`--msb PATH` or OWCTL_MSB; `owctl doctor` shows which one owctl runs), or give this one another MSB_HOME; to go back for good, restore a copy of MSB_HOME made before the upgrade',
  'msb.database': 'another msb command was writing MSB_HOME\'s database at the same moment; run the command again (`owctl apply` redoes only what is left), or lower --parallelism',
  'msb.lost_record': 'msb lost the new sandbox\'s record while other creates ran at once; run `owctl apply` again, or lower --parallelism',
};

const ERROR_PREFIX = 'error: ';
const HINT_PREFIX = /^\s*→\s?/;
// msb colours its output when it thinks it may; strip SGR sequences before reading lines.
const ANSI = /\u001b\[[0-9;]*m/g;

/** The first `error:` line of msb's stderr and the hint lines right after it; null when there is none. */
export function parseMsbError(stderr: string): MsbErrorReport | null {
  const lines = stripAnsi(stderr).split(/\r?\n/);
  const start = lines.findIndex((line) => line.startsWith(ERROR_PREFIX));
  if (start < 0) return null;
  const message = (lines[start] ?? '').slice(ERROR_PREFIX.length).trim();
  const hints: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (!HINT_PREFIX.test(line)) break;
    hints.push(line.replace(HINT_PREFIX, '').trim());
  }
  return { category: categoryOf(message), message, hints };
}

function categoryOf(message: string): string | null {
  if (/^failed to start "[^"]*"/.test(message)) return 'failed to start';
  const colon = message.indexOf(': ');
  return colon < 0 ? null : message.slice(0, colon);
}

/** The owctl code for an msb error message (the `error:` line without its prefix). */
export function classify(message: string): ErrorCode {
  for (const [pattern, code] of CATEGORIES) if (pattern.test(message)) return code;
  return 'msb.failed';
}

export interface MsbFailure {
  subcommand: string;
  /** The msb binary that was run: hints that name an msb command name this one. */
  binary?: string;
  exitCode: number | undefined;
  stderr: string;
  timedOut?: boolean;
  timeoutMs?: number;
  /** The call as a person would name it (`inspect alice`); defaults to the subcommand. */
  call?: string;
  /** How long the call ran before it ended (a timed-out one: until it was stopped). */
  durationMs?: number;
  /** Stopping it needed SIGKILL. */
  killed?: boolean;
  /** The image the call was about (a create's image is in its conf file, not on argv). */
  image?: string;
  cause?: unknown;
}

/**
 * The OwctlError for a failed msb call. The message names the subcommand (never the argv) and keeps msb's own detail;
 * msb's `→` lines become the hint.
 */
export function msbError(failure: MsbFailure): OwctlError {
  const { subcommand, exitCode } = failure;
  const details = { subcommand, exitCode: exitCode ?? null };
  if (failure.timedOut === true) {
    const how = failure.killed === true ? 'SIGTERM, then SIGKILL' : 'SIGTERM';
    const after = failure.durationMs === undefined ? '' : ` after ${seconds(failure.durationMs)}`;
    return new OwctlError('msb.failed', `msb ${failure.call ?? subcommand} did not exit within ${seconds(failure.timeoutMs ?? 0)}; owctl stopped it${after} (${how})`, {
      hint: 'check the host with `owctl doctor`; a slow image pull may need a retry',
      cause: failure.cause,
      details: { ...details, timedOut: true, timeoutMs: failure.timeoutMs ?? null, durationMs: failure.durationMs ?? null },
    });
  }
  const report = parseMsbError(failure.stderr);
  if (exitCode === 2) {
    return new OwctlError('msb.failed', `msb ${subcommand} rejected its arguments: ${report?.message ?? lastLine(failure.stderr)}`, {
      hint: 'this is a bug in owctl (or an msb version other than 0.6.18); please report it with `owctl doctor` output',
      cause: failure.cause,
      details: { ...details, category: 'argument error' },
    });
  }
  if (report === null) {
    const text = lastLine(failure.stderr);
    return new OwctlError('msb.failed', `msb ${subcommand} failed (exit ${exitCode ?? 'none'})${text ? `: ${text}` : ''}`, {
      hint: HINTS['msb.failed'],
      cause: failure.cause,
      details,
    });
  }
  const classified = classify(report.message);
  const code = classified === 'msb.start_failed' && report.hints.some((line) => LOST_RECORD.test(line)) ? 'msb.lost_record' : classified;
  const busy = busyPort([report.message, ...report.hints]);
  const hint =
    code === 'msb.lost_record'
      ? HINTS[code]
      : busy !== undefined
        ? busyPortHint(busy, report.hints)
        : report.hints.length > 0
          ? report.hints.join('\n')
          : (SUBJECT_HINTS[code]?.(subjectOf(failure, report.message)) ?? HINTS[code]);
  const demo = code === 'msb.image' && REGISTRY_DOWN.test(report.message) ? `; to try owctl on this host without a registry, \`${DEMO_COMMAND}\` in owctl's folder runs the whole cycle with a demo image` : '';
  return new OwctlError(code, `msb ${subcommand}: ${report.message}`, {
    ...(hint === undefined ? {} : { hint: `${namingBinary(hint, failure.binary)}${demo}` }),
    cause: failure.cause,
    details: { ...details, category: report.category },
  });
}

/** `0.3 s`, `60 s`, `12.5 s`: whole seconds when whole, else one decimal. */
function seconds(ms: number): string {
  const value = Math.round(ms / 100) / 10;
  return `${value} s`;
}

// msb's boot failure for a published port another process holds (EADDRINUSE is errno 98 on Linux).
const BUSY_PORT = /port (\S+):(\d+)\/(tcp|udp): .*(?:Address already in use|os error 98)/;

function busyPort(lines: string[]): string | undefined {
  for (const line of lines) {
    const match = BUSY_PORT.exec(line);
    if (match) return match[2];
  }
  return undefined;
}

function busyPortHint(port: string, msbHints: string[]): string {
  const own = `host port ${port} is already in use by another process: stop it (\`ss -ltnp 'sport = :${port}'\` shows it) or choose another ports[].host in the file`;
  return [own, ...msbHints.filter((line) => !BUSY_PORT.test(line))].join('\n');
}

/** `msb …` commands in a hint, rewritten to the binary owctl ran (quoted for a shell when it needs to be). */
function namingBinary(hint: string, binary: string | undefined): string {
  if (binary === undefined || binary === 'msb') return hint;
  const shown = /^[\w./@+,:=-]+$/.test(binary) ? binary : `'${binary.replace(/'/g, `'\\''`)}'`;
  return hint.replace(/`msb /g, `\`${shown} `);
}

export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

function lastLine(text: string): string {
  const lines = stripAnsi(text)
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
  return lines.at(-1) ?? '';
}
