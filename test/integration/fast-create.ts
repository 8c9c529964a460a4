/**
 * Recording "applied" sandboxes in a real msb 0.6.18 MSB_HOME quickly, on a host that cannot boot VMs.
 *
 * Every sandbox here bind-mounts a host folder that does not exist (`owctl plan` never creates folders). owctl's own
 * driver creates it with owctl's labels (`ownedLabels`); msb records the row with exactly that config, then fails
 * before booting (~150 ms, msb.start_failed) and leaves it Stopped: a faithful record of what `owctl apply` leaves.
 * Used by the integration tests and by the benchmark; imports nothing from the CLI layer.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { loadDesiredState } from '../../src/config/load.ts';
import { isOwctlError } from '../../src/errors.ts';
import { ownedLabels } from '../../src/model/applied.ts';
import type { DesiredSandbox } from '../../src/model/desired.ts';
import { Msb } from '../../src/msb/driver.ts';
import { mapLimit } from '../../src/msb/map-limit.ts';
import { MSB_BIN, runMsb } from '../helpers/msb-home.ts';
import { writeOciImage } from '../helpers/oci-image.ts';

/** Creates one sandbox with owctl's driver and labels; only the expected pre-boot failure is tolerated. */
export async function createFast(msb: Msb, project: string, sandbox: DesiredSandbox): Promise<void> {
  const missing = sandbox.mounts.some((m) => m.type === 'bind' && !existsSync(m.source));
  if (!missing) throw new Error(`${sandbox.name}: declare a bind mount whose source does not exist, or msb boots it (10-36 s here)`);
  try {
    await msb.create(sandbox, ownedLabels(project, sandbox));
  } catch (error) {
    if (!isOwctlError(error) || error.code !== 'msb.start_failed') throw error;
  }
  if ((await msb.inspect(sandbox.name)) === null) throw new Error(`${sandbox.name}: msb did not record it`);
}

/**
 * Loads `file` as owctl does (with `env` for the tokens) and records its sandboxes — all, or those in `names` — as
 * `project` (default: the file's own project), `parallelism` creates at a time.
 */
export async function applyFast(
  file: string,
  env: Record<string, string>,
  options: { names?: string[]; project?: string; parallelism?: number } = {},
): Promise<void> {
  const { desired } = await loadDesiredState(file, env);
  const chosen = desired.sandboxes.filter((s) => options.names === undefined || options.names.includes(s.name));
  const msb = new Msb(MSB_BIN, env);
  await mapLimit(chosen, options.parallelism ?? 8, (sandbox) => createFast(msb, options.project ?? desired.project, sandbox));
}

/** Writes a tiny OCI image tagged `ref` under `dir` and `msb load`s it (its env names the ref: distinct digests). */
export async function loadTestImage(dir: string, ref: string, env: Record<string, string>): Promise<void> {
  const folder = join(dir, `image-${ref.replace(/[^A-Za-z0-9]/g, '_')}`);
  await mkdir(folder, { recursive: true });
  const image = await writeOciImage(folder, { ref, env: { PATH: '/usr/bin:/bin', OWCTL_IMAGE: ref } });
  const loaded = await runMsb(['load', '--quiet', '-i', image.archive, '-t', ref], env);
  if (loaded.exitCode !== 0) throw new Error(`msb load ${ref} failed: ${loaded.stderr.trim()}`);
}
