// The fully resolved `config` msb 0.6.18 stores for a sandbox (what `msb inspect --format json` shows), from a
// create spec and the cached image. Facts probed from the real binary:
// - image env comes first, minus keys the user sets; then the user's env in the order given (duplicates kept);
// - image labels are merged under the user's; -c/-m also set max_cpus/max_memory_mib;
// - OCI sandboxes get a tmpfs at /tmp sized memory/4 unless something is mounted at /tmp;
// - mounts are sorted by (depth, guest path); paths are stored verbatim.
import { sortMounts, tmpfsMount } from './mounts.mjs';
import { guestNetworkEnv, networkConfig } from './network.mjs';
import { IMPLICIT_TMP } from './v07.mjs';

export const DEFAULT_CPUS = 1;
export const DEFAULT_MEMORY_MIB = 512;
export const ROOT_DISK_MIB = 4096;

export function buildConfig(spec, image) {
  const isOci = spec.image.kind === 'oci';
  const imageConfig = image?.config ?? {};
  const userKeys = new Set(spec.env.map(([key]) => key));
  const imageEnv = (imageConfig.env ?? []).map(splitEnv).filter(([key]) => !userKeys.has(key));
  const cpus = spec.cpus ?? DEFAULT_CPUS;
  const memory = spec.memoryMib ?? DEFAULT_MEMORY_MIB;
  const mounts = [...spec.mounts];
  if (IMPLICIT_TMP && isOci && !mounts.some((mount) => mount.guest === '/tmp')) mounts.push(tmpfsMount('/tmp', Math.floor(memory / 4)));
  return {
    deployment_profile: 'single_tenant',
    env: [...imageEnv, ...spec.env].map(([key, value]) => ({ key, value })),
    image: isOci
      ? { Oci: { reference: spec.image.ref, root_disk: { kind: 'managed', size_mib: ROOT_DISK_MIB } } }
      : { Bind: { follow_root_symlinks: false, path: spec.image.path } },
    init: null,
    labels: sortedObject({ ...(imageConfig.labels ?? {}), ...Object.fromEntries(spec.labels) }),
    lifecycle: {
      ephemeral: false,
      idle_timeout_secs: spec.idleTimeoutSecs ?? null,
      max_duration_secs: spec.maxDurationSecs ?? null,
    },
    manifest_digest: image?.digest ?? null,
    mounts: sortMounts(mounts),
    name: spec.name,
    network: networkConfig(spec.ports, spec.network ?? null),
    patches: [],
    pull_policy: spec.pull ?? 'IfMissing',
    resources: {
      cpus,
      max_cpus: Math.max(cpus, spec.maxCpus ?? cpus),
      max_memory_mib: Math.max(memory, spec.maxMemoryMib ?? memory),
      memory_mib: memory,
    },
    rlimits: [],
    runtime: {
      cmd: spec.cmd ?? imageConfig.cmd ?? null,
      disable_metrics_sample: false,
      entrypoint: spec.entrypoint ?? imageConfig.entrypoint ?? null,
      hostname: spec.hostname ?? null,
      log_level: null,
      metrics_sample_interval_ms: 1000,
      scripts: {},
      shell: spec.shell ?? '/bin/sh',
      user: spec.user ?? imageConfig.user ?? null,
      workdir: spec.workdir ?? imageConfig.working_dir ?? null,
    },
    security_profile: 'default',
  };
}

/** The image reference (or bind path) `ls` and `status` show. */
export function imageLabel(config) {
  return config.image.Oci?.reference ?? config.image.Bind?.path ?? '';
}

/** `"ENTRYPOINT CMD"` as `msb status` shows it, `-` when there is none. */
export function commandLabel(config) {
  const argv = [...(config.runtime.entrypoint ?? []), ...(config.runtime.cmd ?? [])];
  return argv.length === 0 ? '-' : `"${argv.join(' ')}"`;
}

/** The env as a map, later entries winning (what a process in the guest sees). */
/** The guest's environment: the config's env, then each secret's placeholder and the interception CA variables. */
export function envMap(config) {
  const map = {};
  for (const { key, value } of config.env) map[key] = value;
  return { ...map, ...guestNetworkEnv(config) };
}

function splitEnv(entry) {
  const eq = entry.indexOf('=');
  return eq < 0 ? [entry, ''] : [entry.slice(0, eq), entry.slice(eq + 1)];
}

export function sortedObject(map) {
  return Object.fromEntries(Object.entries(map).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
