// msb's builder validation (`invalid config: …`), in the order the real binary reports problems:
// env keys, name, mounts, cpus, memory, labels, entrypoint.
import { fail } from './errors.mjs';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const RESERVED_LABEL_PREFIXES = ['sandbox.', 'microsandbox.', 'service.'];

export const invalidConfig = (detail) => fail(`invalid config: ${detail}`);

export function checkSandboxName(name) {
  if (name === '') throw invalidConfig('sandbox name is required');
  const length = Buffer.byteLength(name);
  if (length > 128) throw invalidConfig(`sandbox name must be at most 128 characters: got ${length}`);
  if (!NAME.test(name)) {
    throw invalidConfig(
      `sandbox name must start with an alphanumeric and contain only alphanumeric, dots, hyphens, and underscores: ${name}`,
    );
  }
}

export function checkVolumeName(name) {
  if (!NAME.test(name)) {
    throw invalidConfig(
      `volume name must start with an alphanumeric character and contain only alphanumeric characters, dots, hyphens, and underscores: ${name}`,
    );
  }
}

export function checkEnvKeys(env) {
  for (const [key] of env) {
    if (key.startsWith('MSB_')) throw invalidConfig(`environment variable "${key}" uses the reserved MSB_ prefix`);
  }
}

export function checkLabels(labels) {
  for (const [key] of labels) {
    if (key === '') throw invalidConfig('label key must not be empty');
    const prefix = RESERVED_LABEL_PREFIXES.find((p) => key.startsWith(p));
    if (prefix) throw invalidConfig(`label key '${key}' uses reserved prefix '${prefix}'`);
  }
}

export function checkMountTargets(mounts) {
  for (const mount of mounts) {
    if (!mount.guest.startsWith('/')) throw invalidConfig(`guest mount path must be absolute: ${mount.guest}`);
    if (mount.guest === '/') throw invalidConfig('cannot mount a volume at guest root /');
  }
}

/** The whole builder check for a create; `spec` is the merged options (see sandbox-options.mjs). */
export function validateSpec(spec) {
  checkEnvKeys(spec.env);
  checkSandboxName(spec.name);
  checkMountTargets(spec.mounts);
  if (spec.cpus === 0) throw invalidConfig('cpus must be greater than 0');
  if (spec.memoryMib === 0) throw invalidConfig('memory must be greater than 0');
  checkLabels(spec.labels);
  if (spec.entrypoint !== undefined && (spec.entrypoint.length === 0 || spec.entrypoint[0] === '')) {
    throw invalidConfig('entrypoint executable must not be empty');
  }
}
