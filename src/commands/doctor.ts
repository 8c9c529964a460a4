/**
 * `owctl doctor`: where msb is and how it was found, its version against the pinned one, msb's own host checks,
 * the active backend and the effective MSB_HOME. Every check runs and is printed even when an earlier one fails.
 *
 * Exit code: 0 only when owctl can do its whole job here — msb found, runnable, and its host checks pass (so it
 * can boot sandboxes). A host without CPU virtualisation exits 1: plan/status/destroy still work there, but apply
 * cannot boot anything, and a CI gate running `owctl doctor` should learn that. A version other than the pinned one
 * is a warning only.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfig } from '../config/load.ts';
import { lacksVirtualisation } from '../msb/virtualisation.ts';
import { checkOpenSandbox, type OpenSandboxCheck } from '../opensandbox/doctor.ts';
import { rememberSecrets } from '../secrets/known.ts';
import { EXIT, isOwctlError } from '../errors.ts';
import { Msb, PINNED_MSB_VERSION } from '../msb/driver.ts';
import type { BackendContext } from '../msb/driver.ts';
import { effectiveMsbHome } from '../msb/env.ts';
import { msbHomeWarning } from '../msb/home-privacy.ts';
import type { LocatedMsb, MsbSource } from '../msb/locate.ts';
import { describeSource, locateMsb } from '../msb/locate.ts';
import { liveObserver, type ObserverDeps } from '../msb/live-observer.ts';
import type { ChannelChoice } from '../msb/sdk-channel.ts';
import { jsonDocument } from '../views/json-style.ts';
import { style } from '../views/style.ts';
import type { CommandIO } from './io.ts';

export interface DoctorOptions {
  msb?: string | undefined;
  /** The sandboxes file (`--file`); else ./openwork.yaml when there is one. Its backend decides what is checked. */
  file?: string | undefined;
  json: boolean;
}

interface Problem {
  code: string;
  message: string;
  hint?: string;
}

export interface DoctorReport {
  ok: boolean;
  msb: { path: string; source: MsbSource; foundVia: string } | null;
  version: { found: string | null; pinned: string; matches: boolean };
  host: { ok: boolean; cpuVirtualisation: boolean; checks: string } | null;
  backend: BackendContext | null;
  msbHome: { path: string; source: 'MSB_HOME' | 'default' };
  /** How plan, status, apply and destroy read live state: the SDK in-process, or the msb CLI; and why. */
  observe: ChannelChoice | null;
  /** The file's OpenSandbox server, when that is its backend (then msb and the host are not checked). */
  opensandbox: OpenSandboxCheck | null;
  problems: Problem[];
  warnings: string[];
}

export async function doctorCommand(options: DoctorOptions, io: CommandIO): Promise<number> {
  const report = await diagnose(options, io);
  io.stdout(options.json ? jsonDocument({ ...report }) : renderDoctor(report, io.color));
  return report.ok ? EXIT.ok : EXIT.error;
}

/** Tests replace how msb is found and what the observe channel reads. */
export interface DoctorDeps {
  bundled?: () => string | null;
  observer?: ObserverDeps;
}

export async function diagnose(options: DoctorOptions, io: CommandIO, deps: DoctorDeps = {}): Promise<DoctorReport> {
  const problems: Problem[] = [];
  const warnings: string[] = [];
  const report: DoctorReport = {
    ok: false,
    msb: null,
    version: { found: null, pinned: PINNED_MSB_VERSION, matches: false },
    host: null,
    backend: null,
    msbHome: effectiveMsbHome(io.env),
    observe: null,
    opensandbox: null,
    problems,
    warnings,
  };
  const remote = await openSandboxOfFile(options.file, io);
  if (remote !== undefined) {
    const found = await checkOpenSandbox(remote.spec, remote.desired, remote.secrets);
    report.opensandbox = found.check;
    problems.push(...found.problems);
    warnings.push(...found.warnings);
    report.ok = problems.length === 0;
    return report;
  }
  let located: LocatedMsb;
  try {
    located = locateMsb({ flag: options.msb, env: io.env, cwd: io.cwd, ...(deps.bundled ? { bundled: deps.bundled } : {}) });
  } catch (error) {
    problems.push(problemOf(error));
    return report;
  }
  report.msb = { ...located, foundVia: describeSource(located.source) };
  const msb = new Msb(located.path, io.env);
  const [version, context, doctor, channel] = await Promise.allSettled([msb.version(), msb.context(), msb.doctor(), liveObserver(msb, located, io.env, deps.observer).check()]);
  if (channel.status === 'fulfilled') report.observe = channel.value;

  if (version.status === 'fulfilled') {
    report.version = { found: version.value, pinned: PINNED_MSB_VERSION, matches: version.value === PINNED_MSB_VERSION };
    if (!report.version.matches) {
      warnings.push(`msb ${version.value} is not the pinned ${PINNED_MSB_VERSION}: its CLI output may differ from what owctl reads`);
    }
  } else problems.push(problemOf(version.reason));

  if (context.status === 'fulfilled') {
    report.backend = context.value;
    if (context.value.kind !== 'local') {
      problems.push({ code: 'msb.unsupported_backend', message: `the active backend is ${context.value.kind}; owctl manages local sandboxes only`, hint: 'unset MSB_BACKEND / MSB_PROFILE' });
    }
  } else problems.push(problemOf(context.reason));

  if (doctor.status === 'fulfilled') {
    const { ok, checks } = doctor.value;
    const noVirt = lacksVirtualisation(checks);
    report.host = { ok, cpuVirtualisation: !noVirt, checks };
    const home = /MSB_HOME:\s*(\S.*)$/m.exec(checks)?.[1]?.trim();
    if (home !== undefined) report.msbHome = { ...report.msbHome, path: home };
    if (noVirt) {
      problems.push({
        code: 'host.no_cpu_virtualisation',
        message: 'this machine has no CPU virtualisation (VT-x / AMD-V): microsandbox cannot boot sandboxes here, so apply cannot create or start any; validate, plan, status and destroy still work',
        hint: 'enable virtualisation in the BIOS/UEFI, or nested virtualisation when this is itself a VM',
      });
    } else if (!ok) {
      problems.push({ code: 'host.not_ready', message: 'msb doctor reports a problem with this host (see its checks above)', hint: 'run `msb doctor --fix`' });
    }
  } else problems.push(problemOf(doctor.reason));

  if (report.version.found !== null) {
    const warning = await migrationWarning(report.version.found, report.msbHome.path);
    if (warning !== null) warnings.push(warning);
  }
  const privacy = await msbHomeWarning(report.msbHome.path);
  if (privacy !== null) warnings.push(privacy);
  report.ok = problems.length === 0;
  return report;
}

/** The file's backend when it is OpenSandbox; undefined for msb, no file, or a file that does not load. */
async function openSandboxOfFile(file: string | undefined, io: CommandIO) {
  const path = resolve(io.cwd, file ?? 'openwork.yaml');
  if (file === undefined && !existsSync(path)) return undefined;
  const result = await loadConfig(path, io.env, { optionalSecrets: true }).catch(() => undefined);
  const backend = result?.desired?.backend;
  if (result?.desired === undefined || backend?.type !== 'opensandbox') return undefined;
  rememberSecrets(result.secrets);
  return { spec: backend, desired: result.desired, secrets: result.secrets };
}

/** A 0.7+ msb about to meet a home that only older msb versions have used: the next plan would migrate it. */
async function migrationWarning(version: string, msbHome: string): Promise<string | null> {
  const { homeGeneration, migratesHomes } = await import('../msb/home-schema.ts');
  if (!migratesHomes(version) || (await homeGeneration(msbHome)) !== 'pre-0.7') return null;
  return (
    `msb ${version} will migrate MSB_HOME (${msbHome}) on the first command owctl runs with it (plan, apply, status…). ` +
    `The migration is one way: msb ${PINNED_MSB_VERSION} then fails every command ("database schema is newer than this msb binary"). ` +
    `Copy it first (\`cp -a ${msbHome} ${msbHome}.before-0.7\`), or give msb ${version} a fresh MSB_HOME`
  );
}

export function renderDoctor(report: DoctorReport, color: boolean): string {
  const s = style(color);
  const good = (text: string) => `${s.green('✓')} ${text}`;
  const bad = (text: string) => `${s.red('✗')} ${text}`;
  const warn = (text: string) => `${s.yellow('!')} ${text}`;
  const lines: string[] = [];
  const row = (label: string, value: string) => lines.push(`${label.padEnd(10)}${value}`);

  if (report.opensandbox !== null) return renderOpenSandbox(report, report.opensandbox, color);
  row('msb', report.msb ? good(`${report.msb.path} ${s.dim(`(${report.msb.foundVia})`)}`) : bad('not found'));
  const { found, pinned, matches } = report.version;
  row('version', found === null ? bad('unknown') : matches ? good(`${found} ${s.dim('(pinned)')}`) : warn(`${found} ${s.dim(`(owctl is pinned to ${pinned})`)}`));
  row('backend', report.backend ? (report.backend.kind === 'local' ? good : bad)(`${report.backend.kind} ${s.dim(`(${report.backend.source})`)}`) : bad('unknown'));
  row('MSB_HOME', `${report.msbHome.path} ${s.dim(report.msbHome.source === 'MSB_HOME' ? '(from MSB_HOME)' : '(default)')}`);
  if (report.observe !== null) row('observe', `${report.observe.channel === 'sdk' ? 'microsandbox SDK, in-process' : 'msb CLI'} ${s.dim(`(${report.observe.reason})`)}`);
  if (report.host !== null) {
    row('host', report.host.ok ? good('ready to boot sandboxes') : report.host.cpuVirtualisation ? bad('not ready') : bad('cannot boot sandboxes (no CPU virtualisation)'));
    lines.push('', s.bold('msb doctor:'), ...report.host.checks.split('\n').map((line) => `  ${line}`));
  } else row('host', bad('not checked'));

  if (report.warnings.length > 0 || report.problems.length > 0) lines.push('');
  for (const warning of report.warnings) lines.push(warn(warning));
  for (const problem of report.problems) {
    lines.push(bad(problem.message));
    if (problem.hint !== undefined) lines.push(...problem.hint.split('\n').map((line) => `  ${s.dim(`hint: ${line}`)}`));
  }
  lines.push('', report.ok ? s.green('owctl can manage sandboxes on this host.') : s.red('owctl cannot fully work on this host (see above).'));
  return `${lines.join('\n')}\n`;
}

function renderOpenSandbox(report: DoctorReport, check: OpenSandboxCheck, color: boolean): string {
  const s = style(color);
  const good = (text: string) => `${s.green('✓')} ${text}`;
  const bad = (text: string) => `${s.red('✗')} ${text}`;
  const warn = (text: string) => `${s.yellow('!')} ${text}`;
  const row = (label: string, value: string) => `${label.padEnd(10)}${value}`;
  const key = check.apiKey === 'accepted' ? good('accepted') : check.apiKey === 'not set' ? warn('not set (the server checks none)') : check.apiKey === 'refused' ? bad('refused') : s.dim('not checked');
  const lines = [
    row('backend', `opensandbox ${s.dim('(from the file)')}`),
    row('server', check.healthy ? good(`${check.url} answers /health`) : bad(`${check.url} does not answer /health`)),
    row('version', check.version === null ? s.dim('not reported') : check.version),
    row('api key', key),
    ...check.createNeeds.map((need, index) => row(index === 0 ? 'create' : '', `${s.dim('needs')} ${need}`)),
  ];
  if (report.warnings.length > 0 || report.problems.length > 0) lines.push('');
  for (const warning of report.warnings) lines.push(warn(warning));
  for (const problem of report.problems) {
    lines.push(bad(problem.message));
    if (problem.hint !== undefined) lines.push(`  ${s.dim(`hint: ${problem.hint}`)}`);
  }
  lines.push('', report.ok ? s.green('owctl can manage sandboxes on this OpenSandbox server.') : s.red('owctl cannot fully work with this OpenSandbox server (see above).'));
  return `${lines.join('\n')}\n`;
}

function problemOf(error: unknown): Problem {
  if (isOwctlError(error)) return { code: error.code, message: error.message, ...(error.hint === undefined ? {} : { hint: error.hint }) };
  return { code: 'msb.failed', message: error instanceof Error ? error.message : String(error) };
}
