/**
 * `owctl verify [NAME…]` checks declared sandboxes the way a remote OpenWork client would; `owctl verify --url URL`
 * checks any endpoint, with tokens read from environment variables (never from argv).
 */
import type { VerifyReport } from '../apply/runtime.ts';
import { EXIT, OwctlError, isOwctlError, signalExit } from '../errors.ts';
import { jsonDocument } from '../views/json-style.ts';
import { urlTerms } from '../verify/hints.ts';
import { displayUrl, redact } from '../verify/redact.ts';
import { parseServerUrl } from '../verify/server-url.ts';
import { splitUrlCredentials } from '../verify/url-credentials.ts';
import { verifyEndpoint, type WaitingListener } from '../verify/verify.ts';
import { style } from '../views/style.ts';
import { renderVerifyReport } from '../views/verify-report.ts';
import { interruptsOf, type CommandIO } from './io.ts';
import { loadFile, maskSecrets } from './load-file.ts';
import { openBackend, startMsb } from './backend.ts';
import { verifySandbox } from './runtime.ts';
import { verifyAccess, type AccessCheck } from './verify-access.ts';
import { renderAccessChecks } from '../views/access-checks.ts';
import { DEFAULT_PARALLELISM } from './snapshot.ts';
import { failedAtOnce, liveProblem } from './verify-live.ts';

export const URL_TIMEOUT_SECS = 120;

export interface VerifyOptions {
  file: string;
  msb?: string;
  names: string[];
  url?: string;
  tokenEnv: string;
  hostTokenEnv: string;
  /** Bound on the /health wait; default: 120 s with --url, each sandbox's verify.timeout otherwise. */
  timeoutSecs?: number;
  json: boolean;
}

/** A line on stderr every few seconds while a step waits (stdout stays the report): what for, where, how long. */
function waitingNotes(io: CommandIO, label: string | undefined, secrets: readonly string[]): WaitingListener {
  return ({ step, what, url, last, waitedSecs, timeoutSecs }) => {
    const where = step === 'health' ? `${displayUrl(url, secrets)}: ${last}` : `${what} (${displayUrl(url, secrets)})`;
    io.stderr(`${label === undefined ? '' : `${label}: `}waiting for ${where} (${waitedSecs}s of ${timeoutSecs}s)\n`);
  };
}

function tokenFrom(io: CommandIO, name: string, flag: string): string {
  const value = io.env[name];
  if (value === undefined || value === '') {
    throw new OwctlError('usage', `environment variable ${name} is not set`, { hint: `export ${name}, or name another variable with ${flag}` });
  }
  return value;
}

type Result = [string, VerifyReport, AccessCheck[]?];

async function reports(options: VerifyOptions, io: CommandIO): Promise<Result[]> {
  const interrupts = interruptsOf(io);
  const signal = interrupts.signal;
  if (options.url !== undefined) {
    // User-info in the URL is a credential: split off before anything is requested or printed.
    const endpoint = splitUrlCredentials(options.url);
    const parsed = parseServerUrl(endpoint.url);
    if (!parsed.ok) {
      throw new OwctlError('usage', `--url ${displayUrl(endpoint.url, endpoint.secrets)} ${parsed.problem}`, {
        hint: parsed.suggestion ? `give the scheme too: --url ${parsed.suggestion}` : 'give the server address, e.g. --url http://127.0.0.1:8787 (or a workspace: …/w/<id>)',
      });
    }
    const target = {
      baseUrl: parsed.baseUrl,
      ...(parsed.workspaceId === undefined ? {} : { workspaceId: parsed.workspaceId }),
      clientToken: tokenFrom(io, options.tokenEnv, '--token-env'),
      hostToken: tokenFrom(io, options.hostTokenEnv, '--host-token-env'),
      timeoutSecs: options.timeoutSecs ?? URL_TIMEOUT_SECS,
      terms: urlTerms(options.tokenEnv, options.hostTokenEnv),
    };
    const secrets = [target.clientToken, target.hostToken, ...endpoint.secrets];
    await maskSecrets(io, secrets);
    return [[redact(endpoint.url, secrets), await verifyEndpoint(target, undefined, signal, waitingNotes(io, undefined, secrets))]];
  }
  const early = startMsb(options.msb, io);
  const { desired, secrets } = await interrupts.during('reading the file', loadFile(options.file, io, 'verify'));
  const unknown = options.names.filter((name) => !desired.sandboxes.some((s) => s.name === name));
  if (unknown.length > 0) throw new OwctlError('usage', `no sandbox named ${unknown.join(', ')} in ${options.file}`, { hint: 'run `owctl status` to list them' });
  const chosen = desired.sandboxes.filter((s) => options.names.length === 0 || options.names.includes(s.name));
  const backend = await openBackend(desired, secrets, io, early);
  const observed = await backend.observe(desired, { parallelism: DEFAULT_PARALLELISM });
  return Promise.all(
    chosen.map(async (sandbox): Promise<Result> => {
      const problem = liveProblem(sandbox.name, desired.project, observed, { running: true });
      if (problem !== null) return [sandbox.name, failedAtOnce((await backend.serverAddress(sandbox))?.url ?? sandbox.name, problem)];
      const timed = options.timeoutSecs === undefined ? sandbox : { ...sandbox, verify: { ...sandbox.verify, timeoutSecs: options.timeoutSecs } };
      const tokens = [sandbox.tokens.client, sandbox.tokens.host];
      const report = verifySandbox(backend, timed, () => undefined, signal, undefined, waitingNotes(io, sandbox.name, tokens));
      // The engine reported the sandbox dead while verification waited: that target failed, the others stand.
      const done = await report.catch(async (error: unknown) => {
        if (!isOwctlError(error) || error.code !== 'opensandbox.failed') throw error;
        return failedAtOnce((await backend.serverAddress(sandbox).catch(() => null))?.url ?? sandbox.name, { code: error.code, message: error.message, hint: error.hint ?? '' });
      });
      return done.ok && (sandbox.access ?? []).length > 0 ? [sandbox.name, done, await verifyAccess(backend, sandbox, desired.dir)] : [sandbox.name, done];
    }),
  );
}

/** What an interrupt cut short: each target's step, its URL and how long it had run. */
function interruptedLines(results: Result[], signal: string): string[] {
  const cut = results.filter(([, report]) => !report.ok && report.failed !== undefined);
  const lines = cut.map(([target, report]) => {
    const step = report.failed!;
    return `verification of ${target} interrupted by ${signal} at step ${step.step} (${step.url}) after ${(step.durationMs / 1000).toFixed(1)} s`;
  });
  return [...lines, 'Nothing was changed; run `owctl verify` again to check.'];
}

export async function verifyCommand(options: VerifyOptions, io: CommandIO): Promise<number> {
  const interrupts = interruptsOf(io);
  interrupts.claim(); // an interrupt cuts the checks short; the report says where
  const results = await reports(options, io);
  const interrupted = interrupts.by;
  const ok = interrupted === undefined && results.every(([, report, access]) => report.ok && (access ?? []).every((check) => check.ok));
  if (options.json) {
    const targets = results.map(([target, report, access]) => ({ target, ...report, ...(access === undefined ? {} : { ok: report.ok && access.every((c) => c.ok), access }) }));
    io.stdout(jsonDocument({ ok, ...(interrupted ? { interrupted: true } : {}), targets }));
  } else {
    for (const [target, report, access] of results) io.stdout(renderVerifyReport(target, report, style(io.color)) + renderAccessChecks(access ?? [], style(io.color)));
  }
  if (interrupted !== undefined) {
    io.stderr(`${interruptedLines(results, interrupted).join('\n')}\n`);
    return signalExit(interrupted);
  }
  return ok ? EXIT.ok : EXIT.error;
}
