/**
 * End-to-end harness: a project folder, a temporary MSB_HOME, the msb simulator (test/sim/msb) behind a wrapper
 * that records every argv msb receives, and the OpenWork image loaded into it. The simulator "boots" a sandbox by
 * running the OpenWork server fixture on the sandbox's published host port, backed by default by the stand-in of
 * OpenCode's routes (one per test file, see standInOpencodeEnv), else by a real opencode serve (see sharedOpencodeEnv).
 *
 * OWCTL_E2E_MSB=/path/to/msb runs the same scenarios against a real msb instead; on a host that cannot boot VMs
 * they then fail (loudly) rather than pass.
 */
import { spawn } from 'node:child_process';
import { after } from 'node:test';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, type CliResult } from '../helpers/cli.ts';
import { writeOciImage } from '../helpers/oci-image.ts';
import { startOpencode } from '../fixture/opencode-process.mjs';
import { type EventOpencode, startEventOpencode } from '../helpers/event-opencode.ts';
import { advanceLifecycleClock } from '../sim/lib/clock.mjs';

const ROOT = join(import.meta.dirname, '..', '..');
export const SIM = join(ROOT, 'test', 'sim', 'msb');
export const REAL_MSB = process.env.OWCTL_E2E_MSB;
export const IMAGE = 'openwork-microsandbox:dev';

export interface Tokens {
  client: string;
  host: string;
}

export function tokens(tag: string): Tokens {
  const salt = Math.random().toString(36).slice(2, 10);
  return { client: `client-${tag}-${salt}-0123456789abcdef`, host: `host-${tag}-${salt}-0123456789abcdef` };
}

/** A free TCP port on loopback (the OS picks; closed again before use). */
export { freePort } from '../helpers/ports.ts';

export interface SandboxSpec {
  name: string;
  port: number;
  memory?: string;
  image?: string;
  protect?: boolean;
  extraEnv?: Record<string, string>;
  /** Also bind ./.owctl/NAME/data to /data. */
  data?: boolean;
  /** `idle_timeout` / `max_duration` values, e.g. `15s`. */
  idleTimeout?: string;
  maxDuration?: string;
  /** `server: { port }`: the guest port the OpenWork server listens on (default 8787, left out of the file). */
  serverPort?: number;
  /** The file's pull policy (default never: the harness loads the image). */
  pull?: 'never' | 'if-missing' | 'always';
  /** More lines under the sandbox, each indented as its keys (`    network: {…}`). */
  extraLines?: string[];
  /** `access:` person → scope. */
  access?: Record<string, string>;
}

/**
 * One warm `opencode serve` per test file, shared by every sandbox the simulator boots in that file
 * (MSB_SIM_FIXTURE_OPENCODE_URL/_PASSWORD → the fixture's OPENWORK_FIXTURE_OPENCODE_URL/_PASSWORD). A cold OpenCode
 * costs 10–30 s and ~400 MB per boot on a loaded two-core host, which was most of the e2e files' wall time. Each
 * fixture keeps its sessions in its own directory there (the host folder of its workspace mount) and lists only
 * those (openwork-server.mjs). FIDELITY: the server's OpenCode is then not its own process: it does not start with
 * the sandbox, does not die with it, and keeps no sessions in the guest's files — scenarios whose facts need that
 * pass `opencode: 'own'` to Project.create. Stopped after the file's last test (a root-level after hook), else
 * SIGKILLed when this process exits; OpenCode also runs under `setpriv --pdeathsig KILL` (opencode-process.mjs).
 */
let sharedOpencode: ReturnType<typeof startOpencode> | undefined;

async function sharedOpencodeEnv(): Promise<Record<string, string>> {
  if (sharedOpencode === undefined) {
    const handle = startOpencode();
    sharedOpencode = handle;
    process.once('exit', () => handle.killNow());
    handle.ready.catch(() => {
      if (sharedOpencode === handle) sharedOpencode = undefined;
    });
  }
  const ready = await sharedOpencode.ready;
  return { MSB_SIM_FIXTURE_OPENCODE_URL: ready.url, MSB_SIM_FIXTURE_OPENCODE_PASSWORD: sharedOpencode.password };
}

/**
 * One stand-in of OpenCode's routes per test file, in this process (test/helpers/event-opencode.ts), behind every
 * sandbox the simulator boots in that file; each fixture names its own directory there, as with the shared OpenCode.
 * FIDELITY: no OpenCode runs at all. The stand-in answers what the fixture and owctl ask of OpenCode (verify's session
 * and events steps, the late-session sweep, keepalive's activity reading, the health probe) as the real one does —
 * test/fixture/event-stream.test.ts compares each of its routes with a real OpenCode — but starts nothing, prompts
 * no model and checks no password. The whole path against a real OpenCode is witnessed by day2.test.ts ('shared').
 * A real OpenCode costs ~3 s of CPU per start and 5–7 s per directory it serves: a third of the suite's CPU.
 */
let standInOpencode: Promise<EventOpencode> | undefined;

async function standInOpencodeEnv(): Promise<Record<string, string>> {
  standInOpencode ??= startEventOpencode();
  return { MSB_SIM_FIXTURE_OPENCODE_URL: (await standInOpencode).url };
}

// Only inside a test file (node --test sets NODE_TEST_CONTEXT in its children): a script importing the harness
// (bench/) has no test run to hook into.
if (process.env.NODE_TEST_CONTEXT !== undefined) {
  after(async () => {
    const handle = sharedOpencode;
    sharedOpencode = undefined;
    const standIn = standInOpencode;
    standInOpencode = undefined;
    await Promise.all([handle?.stop(), standIn?.then((s) => s.close())]);
  });
}

export interface ProjectOptions {
  /**
   * 'stand-in' (default): the file's in-process stand-in of OpenCode's routes (see standInOpencodeEnv). 'shared':
   * the file's warm real OpenCode (see sharedOpencodeEnv) — for facts that need the real one's behaviour (say why at
   * the call). 'own': each fixture starts its own OpenCode process in the guest's files, as the image does — for
   * facts that need that process (say why at the call). 'none': the harness starts none — nothing in the scenario
   * reaches OpenCode, or it brings its own (a fixture reaching OpenCode without one would start its own).
   */
  opencode?: 'stand-in' | 'shared' | 'own' | 'none';
}

export class Project {
  readonly secrets: string[] = [];
  private readonly tokenVars: Record<string, string> = {};
  private opencodeVars: Record<string, string> = {};

  private constructor(
    readonly dir: string,
    readonly msbHome: string,
    readonly msb: string,
    readonly argvLog: string,
    readonly name: string,
  ) {}

  static async create(name: string, options: ProjectOptions = {}): Promise<Project> {
    const dir = await mkdtemp(join(tmpdir(), `owctl-e2e-${name}-`));
    const msbHome = join(dir, 'msb-home');
    const argvLog = join(dir, 'msb-argv.log');
    const wrapper = join(dir, 'msb');
    // Records each invocation's argv (NUL-separated, one record per line) and hands over to the real program.
    await writeFile(wrapper, `#!/bin/sh\nfor a in "$@"; do printf '%s\\037' "$a"; done >> '${argvLog}'\nprintf '\\n' >> '${argvLog}'\nexec '${REAL_MSB ?? SIM}' "$@"\n`);
    await chmod(wrapper, 0o755);
    const project = new Project(dir, msbHome, wrapper, argvLog, name);
    const archive = REAL_MSB === undefined ? join(dir, 'image.tar') : process.env.OWCTL_E2E_IMAGE_ARCHIVE;
    if (archive === undefined || archive === '') {
      throw new Error('OWCTL_E2E_MSB needs OWCTL_E2E_IMAGE_ARCHIVE: a docker-save or OCI tar of the real OpenWork microsandbox image');
    }
    // Like the OpenWork image: HOME=/root, on the root filesystem, outside the /workspace and /data mounts.
    if (REAL_MSB === undefined) await writeOciImage(dir, { ref: IMAGE, env: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', HOME: '/root', OWCTL_IMAGE: '1' } });
    const loaded = await project.msbRaw(['load', '-i', archive, '-t', IMAGE]);
    if (loaded.code !== 0) throw new Error(`msb load failed: ${loaded.stderr}`);
    const opencode = options.opencode ?? 'stand-in';
    if (REAL_MSB === undefined && opencode === 'shared') project.opencodeVars = await sharedOpencodeEnv();
    if (REAL_MSB === undefined && opencode === 'stand-in') project.opencodeVars = await standInOpencodeEnv();
    return project;
  }

  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return { PATH: process.env.PATH, HOME: process.env.HOME, MSB_HOME: this.msbHome, OWCTL_MSB: this.msb, ...this.opencodeVars, ...this.tokenVars, ...extra };
  }

  /** Writes openwork.yaml for `sandboxes`; tokens go into the environment, never into the file. */
  async writeFile(sandboxes: Array<SandboxSpec & { tokens: Tokens }>): Promise<void> {
    const blocks = sandboxes.map((s) => {
      const upper = s.name.toUpperCase().replace(/[^A-Z0-9]/g, '_');
      this.tokenVars[`${upper}_CLIENT`] = s.tokens.client;
      this.tokenVars[`${upper}_HOST`] = s.tokens.host;
      for (const secret of [s.tokens.client, s.tokens.host]) if (!this.secrets.includes(secret)) this.secrets.push(secret);
      const env = { OPENWORK_APPROVAL_MODE: 'auto', ...s.extraEnv };
      return [
        `  ${s.name}:`,
        `    image: ${s.image ?? IMAGE}`,
        `    pull: ${s.pull ?? 'never'}`,
        `    resources: { cpus: 1, memory: ${s.memory ?? '512M'} }`,
        '    mounts:',
        `      - { type: bind, source: ./.owctl/${s.name}/workspace, target: /workspace }`,
        ...(s.data === true ? [`      - { type: bind, source: ./.owctl/${s.name}/data, target: /data }`] : []),
        `    ports: [{ host: ${s.port}, guest: ${s.serverPort ?? 8787} }]`,
        ...(s.serverPort === undefined ? [] : [`    server: { port: ${s.serverPort} }`]),
        `    tokens: { client: "\${${upper}_CLIENT}", host: "\${${upper}_HOST}" }`,
        `    env: ${JSON.stringify(env)}`,
        `    protect: ${s.protect === true}`,
        '    verify: { timeout: 60s }',
        ...(s.idleTimeout === undefined ? [] : [`    idle_timeout: ${s.idleTimeout}`]),
        ...(s.maxDuration === undefined ? [] : [`    max_duration: ${s.maxDuration}`]),
        ...(s.extraLines ?? []),
        ...(s.access === undefined ? [] : [`    access: ${JSON.stringify(Object.fromEntries(Object.entries(s.access).map(([p, scope]) => [p, { scope }])))}`]),
      ].join('\n');
    });
    await writeFile(join(this.dir, 'openwork.yaml'), `version: 1\nproject: ${this.name}\nsandboxes:\n${blocks.join('\n')}\n`);
  }

  /** owctl in-process (same code path as the binary). */
  owctl(args: string[], extraEnv: Record<string, string> = {}): Promise<CliResult> {
    return runCli(args, { env: this.env(extraEnv), cwd: this.dir });
  }

  /**
   * owctl as its own process, for signals and concurrency: from src/ through tsx, or with `bin` the built entry
   * point users run (bin/owctl.js; dist/ must be built).
   */
  spawnOwctl(args: string[], extraEnv: Record<string, string> = {}, options: { bin?: boolean } = {}) {
    // tsx by absolute URL: the project folder (cwd) has no node_modules to resolve it from.
    const entry = options.bin === true ? [join(ROOT, 'bin', 'owctl.js')] : ['--import', import.meta.resolve('tsx'), join(ROOT, 'src', 'cli', 'run.ts')];
    const child = spawn(process.execPath, [...entry, ...args], {
      cwd: this.dir,
      env: this.env(extraEnv),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const done = new Promise<CliResult>((resolve) => child.on('exit', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr })));
    return { child, done, output: () => stdout };
  }

  /** msb directly (the simulator, or OWCTL_E2E_MSB), for setting up and inspecting state. */
  async msbRaw(args: string[], extraEnv: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
    const child = spawn(REAL_MSB ?? SIM, args, { env: { PATH: process.env.PATH, HOME: process.env.HOME, MSB_HOME: this.msbHome, ...this.opencodeVars, ...extraEnv } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number>((resolve) => child.on('exit', (c) => resolve(c ?? 1)));
    return { code, stdout, stderr };
  }

  async inspect(name: string): Promise<{ status: string; config: Record<string, any> } | null> {
    const result = await this.msbRaw(['inspect', name, '--format', 'json']);
    return result.code === 0 ? JSON.parse(result.stdout) : null;
  }

  async names(): Promise<string[]> {
    const result = await this.msbRaw(['ls', '--format', 'json']);
    return (JSON.parse(result.stdout) as Array<{ name: string }>).map((s) => s.name).sort();
  }

  /** Every msb invocation so far, as argv arrays. */
  async msbCalls(): Promise<string[][]> {
    const text = await readFile(this.argvLog, 'utf8').catch(() => '');
    return text.split('\n').filter((line) => line !== '').map((line) => line.split('\u001f').filter((a) => a !== ''));
  }

  /** Fails if any token value appears in the given texts or in any argv msb received. */
  async assertNoSecrets(...texts: string[]): Promise<void> {
    const argv = (await this.msbCalls()).flat().join('\n');
    for (const secret of this.secrets) {
      for (const [where, text] of [...texts.map((t, i) => [`output #${i}`, t] as const), ['msb argv', argv] as const]) {
        if (text.includes(secret)) throw new Error(`a token value leaked into ${where}`);
      }
    }
  }

  /**
   * Simulator only: lets `seconds` pass for msb's idle-timeout and max-duration monitor of every running sandbox
   * (the simulator's fake lifecycle clock, test/sim/lib/clock.mjs), so a drain is proved without waiting it out in
   * real time. Returns the sandboxes whose clocks moved.
   */
  advanceIdleClock(seconds: number): string[] {
    if (REAL_MSB !== undefined) throw new Error('advanceIdleClock needs the simulator');
    return advanceLifecycleClock(this.msbHome, seconds * 1000);
  }

  /** Host processes the simulator runs as sandbox workloads (the OpenWork fixture and its opencode). */
  async workloadPids(): Promise<number[]> {
    if (REAL_MSB !== undefined) return [];
    const state = JSON.parse(await readFile(join(this.msbHome, 'sim-state.json'), 'utf8').catch(() => '{}')) as {
      sandboxes?: Record<string, { processes?: number[] }>;
    };
    return Object.values(state.sandboxes ?? {}).flatMap((sandbox) => sandbox.processes ?? []);
  }

  /** Removes every sandbox, then proves no workload process is left behind, and removes the folder. */
  async cleanup(): Promise<void> {
    const pids = await this.workloadPids();
    const list = await this.msbRaw(['ls', '--format', 'json']).catch(() => ({ code: 1, stdout: '[]' }));
    const names = list.code === 0 ? (JSON.parse(list.stdout) as Array<{ name: string }>).map((s) => s.name) : [];
    if (names.length > 0) await this.msbRaw(['rm', '--force', ...names]);
    await rm(this.dir, { recursive: true, force: true });
    // Each workload runs in its own process group (fixture + opencode): the whole group must be gone.
    await eventually(async () => pids.every((pid) => !groupAlive(pid)), 15_000, 'workload processes to exit');
  }
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function get(url: string, headers: Record<string, string> = {}): Promise<number> {
  try {
    const response = await fetch(url, { headers, signal: AbortSignal.timeout(5000) });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 0;
  }
}

/** For scenarios that use the simulator's or the fixture's knobs or state: skipped, and saying so, on a real msb. */
export const SIMULATOR_ONLY = REAL_MSB === undefined ? false : 'simulator only: uses the simulator or fixture knobs/state';

/** Polls `check` until it returns true or `timeoutMs` passes (never a bare sleep). */
export async function eventually(check: () => Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 25; ; delay = Math.min(delay * 2, 500)) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

export function json(result: CliResult): any {
  return JSON.parse(result.stdout);
}
