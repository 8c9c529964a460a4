/**
 * A benchmark project: a temporary folder with its own MSB_HOME, a generated openwork.yaml declaring N sandboxes, and
 * those N sandboxes recorded in msb exactly as `owctl apply` records them (owctl's driver and labels; the fast
 * create of test/integration/fast-create.ts), then marked Running so that `owctl plan` finds nothing to do.
 *
 * The sandboxes look like real ones (env, a label, two bind mounts, a tmpfs, timeouts) but publish no port: a Running
 * sandbox with port 8787 gets a /health probe, which the floor (bare msb calls) does not include.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { applyFast, loadTestImage } from '../test/integration/fast-create.ts';

const run = promisify(execFile);

export const BENCH_IMAGE = 'owctl-bench:1';

export interface BenchProject {
  root: string;
  file: string;
  project: string;
  /** The whole environment `owctl plan` runs with. */
  env: Record<string, string>;
  /** How the sandboxes were left: `Running` (no-op plan) or `Stopped` (no sqlite3: the plan starts them all). */
  status: 'Running' | 'Stopped';
  populateMs: number;
  cleanup(): Promise<void>;
}

export function sandboxName(index: number): string {
  return `sb-${String(index).padStart(3, '0')}`;
}

export function benchYaml(project: string, count: number): string {
  const lines = [
    'version: 1',
    `project: ${project}`,
    'defaults:',
    `  image: ${BENCH_IMAGE}`,
    '  pull: never',
    '  resources: { cpus: 1, memory: 512M }',
    '  tokens: { client: "${OPENWORK_TOKEN}", host: "${OPENWORK_HOST_TOKEN}" }',
    '  env: { OPENWORK_APPROVAL_MODE: auto }',
    '  labels: { team: bench }',
    '  idle_timeout: 30m',
    '  max_duration: 8h',
    'sandboxes:',
  ];
  for (let i = 0; i < count; i++) {
    const name = sandboxName(i);
    lines.push(
      `  ${name}:`,
      '    mounts:',
      `      - { type: bind, source: ./.owctl/${name}/workspace, target: /workspace }`,
      `      - { type: bind, source: ./.owctl/${name}/data, target: /data }`,
      '      - { type: tmpfs, target: /tmp, size: 256M }',
    );
  }
  return `${lines.join('\n')}\n`;
}

export async function makeBenchProject(count: number, msbBin: string): Promise<BenchProject> {
  const root = await mkdtemp(join(tmpdir(), 'owctl-bench-'));
  try {
    const project = `bench${count}`;
    const dir = join(root, 'project');
    await mkdir(dir);
    const base = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: root, MSB_HOME: join(root, 'msb-home') };
    const env = {
      ...base,
      OWCTL_MSB: msbBin,
      OPENWORK_TOKEN: `bench-client-${randomBytes(8).toString('hex')}`,
      OPENWORK_HOST_TOKEN: `bench-host-${randomBytes(8).toString('hex')}`,
    };
    const file = join(dir, 'openwork.yaml');
    await writeFile(file, benchYaml(project, count));
    const started = Date.now();
    await loadTestImage(root, BENCH_IMAGE, { ...base, NO_COLOR: '1' });
    // Four creates at a time: on 2 cores more only adds contention (measured: 4 beat 2, 8 and 16).
    await applyFast(file, { ...env, NO_COLOR: '1' }, { parallelism: 4 });
    const status = (await markAllRunning(join(base.MSB_HOME, 'db', 'msb.db'))) ? 'Running' : 'Stopped';
    return { root, file, project, env, status, populateMs: Date.now() - started, cleanup: () => rm(root, { recursive: true, force: true }) };
  } catch (error) {
    await rm(root, { recursive: true, force: true });
    throw error;
  }
}

/** msb cannot boot VMs here; its recorded status is edited instead (sqlite3 CLI). False when sqlite3 is missing. */
async function markAllRunning(db: string): Promise<boolean> {
  try {
    await run('sqlite3', [db, "UPDATE sandbox SET status = 'Running'"]);
    return true;
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return false;
    throw error;
  }
}
