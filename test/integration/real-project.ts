/**
 * A throw-away owctl project against the real msb 0.6.18: its own MSB_HOME, a project folder with an openwork.yaml,
 * fresh random tokens, and a minimal environment for the CLI (PATH, HOME, MSB_HOME, OWCTL_MSB, the two tokens).
 *
 *   const project = await makeProject('itp');
 *   try {
 *     await project.loadImage(IMAGE_1);
 *     await project.write(projectYaml('itp', { a: {}, b: { memory: '512M' } }));
 *     await project.applyFast();                   // records a and b as `owctl apply` would, status Stopped
 *     const { code, plan } = await project.plan(['--json']);
 *   } finally {
 *     await project.cleanup();
 *   }
 *
 * Every owctl run through this fixture fails the test if any token value it ever held reaches stdout or stderr.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PlanDocument } from '../../src/views/plan-json.ts';
import { runCli, type CliResult } from '../helpers/cli.ts';
import type { MsbHome, MsbRun } from '../helpers/msb-home.ts';
import { MSB_BIN, makeMsbHome, runMsb, setRecordedStatus } from '../helpers/msb-home.ts';
import { applyFast, loadTestImage } from './fast-create.ts';
import { IMAGE_1 } from './project-yaml.ts';

export interface Tokens {
  client: string;
  host: string;
}

export interface PlanRun extends CliResult {
  /** The parsed plan document (only with --json, and only when stdout holds a plan rather than an error). */
  plan?: PlanDocument;
}

export interface RealProject {
  /** The project folder (holds openwork.yaml), inside the MsbHome's root; removed by cleanup. */
  dir: string;
  file: string;
  home: MsbHome;
  /** The whole environment the CLI sees. */
  env: Record<string, string>;
  /** The current tokens (in `env` as OPENWORK_TOKEN / OPENWORK_HOST_TOKEN). */
  tokens: Tokens;
  /** Replaces the tokens in `env` with fresh ones; the old values stay on the never-printed list. */
  rotateTokens(): Tokens;
  loadImage(ref: string): Promise<void>;
  write(yaml: string): Promise<void>;
  /** Records the file's sandboxes (all, or `names`) the way owctl's executor creates them, as `project` if given. */
  applyFast(options?: { names?: string[]; project?: string }): Promise<void>;
  /** `owctl -f FILE plan ARGS…`, in-process. */
  plan(args?: string[]): Promise<PlanRun>;
  /** Any owctl command (global flags first), in-process. */
  owctl(args: string[]): Promise<CliResult>;
  msb(args: string[]): Promise<MsbRun>;
  /** Edits msb's recorded status (sqlite3 CLI); false when sqlite3 is not installed. */
  setStatus(name: string, status: string): Promise<boolean>;
  cleanup(): Promise<void>;
}

export async function makeProject(): Promise<RealProject> {
  const home = await makeMsbHome();
  const dir = join(home.root, 'project');
  await mkdir(dir);
  const file = join(dir, 'openwork.yaml');
  const fresh = (): Tokens => ({ client: `itc-${randomBytes(12).toString('hex')}`, host: `ith-${randomBytes(12).toString('hex')}` });
  let tokens = fresh();
  const used: string[] = [tokens.client, tokens.host];
  const base = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home.root, MSB_HOME: home.home };
  const env: Record<string, string> = { ...base, OWCTL_MSB: MSB_BIN, OPENWORK_TOKEN: tokens.client, OPENWORK_HOST_TOKEN: tokens.host };
  const msbEnv = { ...base, NO_COLOR: '1' };

  const owctl = async (args: string[]): Promise<CliResult> => {
    const result = await runCli(args, { env, cwd: dir });
    assertNoSecrets(result, used);
    return result;
  };

  return {
    dir,
    file,
    home,
    env,
    get tokens() {
      return tokens;
    },
    rotateTokens() {
      tokens = fresh();
      used.push(tokens.client, tokens.host);
      env.OPENWORK_TOKEN = tokens.client;
      env.OPENWORK_HOST_TOKEN = tokens.host;
      return tokens;
    },
    loadImage: (ref) => loadTestImage(home.root, ref, msbEnv),
    write: (yaml) => writeFile(file, yaml),
    // The tokens come from `env`; msb itself gets them only through owctl's private conf file.
    applyFast: (options = {}) => applyFast(file, { ...env, NO_COLOR: '1' }, options),
    async plan(args = []) {
      const result = await owctl(['-f', file, 'plan', ...args]);
      if (!args.includes('--json')) return result;
      const document = JSON.parse(result.stdout) as PlanDocument & { error?: unknown };
      return document.error === undefined ? { ...result, plan: document } : result;
    },
    owctl,
    msb: (args) => runMsb(args, msbEnv),
    setStatus: (name, status) => setRecordedStatus(home, name, status),
    cleanup: () => home.cleanup(),
  };
}

/** Plain `msb create` (no owctl labels), recorded the same fast way (missing bind source): a sandbox owctl does not own. */
export async function createUnmanaged(project: RealProject, name: string, image = IMAGE_1): Promise<void> {
  await project.msb(['create', '--quiet', '--name', name, '--pull', 'never', '--volume', `${project.dir}/.not-there/${name}:/workspace`, image]);
  const recorded = await project.msb(['inspect', name, '--format', 'json']);
  if (recorded.exitCode !== 0) throw new Error(`${name}: msb did not record it: ${recorded.stderr.trim()}`);
}

/** Throws (without quoting it) when any of `secrets` appears in the output. */
export function assertNoSecrets(result: CliResult, secrets: readonly string[]): void {
  for (const [stream, text] of [['stdout', result.stdout], ['stderr', result.stderr]] as const) {
    const leaked = secrets.findIndex((secret) => text.includes(secret));
    if (leaked >= 0) throw new Error(`token #${leaked + 1} of this project appeared on ${stream}`);
  }
}
