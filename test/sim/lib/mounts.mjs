// Mount flags (`-v`, `--mount-named`, `--tmpfs`) and the mount objects msb stores in `config.mounts`.
import { fail } from './errors.mjs';
import { checkVolumeName } from './validate.mjs';
import { parseSizeMib } from './values.mjs';

const FLAGS = new Set(['ro', 'rw', 'readonly', 'noexec', 'nosuid', 'nodev', 'exec', 'suid', 'dev']);
const KEYED = new Set(['uid', 'gid', 'quota']);

export function mountOptions(readonly = false) {
  return { nodev: false, noexec: false, nosuid: false, readonly };
}

export function bindMount(host, guest, options = mountOptions(), quotaMib = null) {
  return {
    follow_root_symlinks: false,
    guest,
    host,
    host_permissions: 'private',
    options,
    quota_mib: quotaMib,
    stat_virtualization: 'strict',
    type: 'Bind',
  };
}

export function namedMount(name, guest, options = mountOptions()) {
  return {
    follow_root_symlinks: false,
    guest,
    host_permissions: 'private',
    name,
    options,
    stat_virtualization: 'strict',
    type: 'Named',
  };
}

export function tmpfsMount(guest, sizeMib = null, options = mountOptions()) {
  return { guest, options, size_mib: sizeMib, type: 'Tmpfs' };
}

/** `-v SOURCE:/GUEST[:OPTIONS]`: a source starting with `/` or `.` is a host path (stored verbatim), else a volume. */
export function parseVolumeFlag(spec) {
  const parts = spec.split(':');
  if (parts.length < 2 || !parts[1].startsWith('/')) throw fail('volume must be in format source:/guest[:options]');
  const [source, guest, ...rest] = parts;
  const { options, quotaMib } = parseMountOptions(rest.join(':'));
  if (source.startsWith('/') || source.startsWith('.')) return { mount: bindMount(source, guest, options, quotaMib) };
  checkVolumeName(source);
  return { mount: namedMount(source, guest, options), autoCreate: source };
}

/** `--mount-named NAME:/GUEST[:OPTIONS]`. */
export function parseNamedFlag(spec) {
  const parts = spec.split(':');
  if (parts.length < 2 || !parts[1].startsWith('/')) throw fail('mount-named must be in format source:/guest[:options]');
  const [name, guest, ...rest] = parts;
  checkVolumeName(name);
  return { mount: namedMount(name, guest, parseMountOptions(rest.join(':')).options), autoCreate: name };
}

/** `--tmpfs PATH[:SIZE[:OPTIONS]]`; the guest path is checked later (builder validation). */
export function parseTmpfsFlag(spec) {
  const [guest, size, ...rest] = spec.split(':');
  const sizeMib = size === undefined || size === '' ? null : parseSizeMib(size);
  return { mount: tmpfsMount(guest, sizeMib, parseMountOptions(rest.join(':')).options) };
}

function parseMountOptions(text) {
  const options = mountOptions();
  let quotaMib = null;
  if (text === '') return { options, quotaMib };
  for (const item of text.split(',')) {
    const eq = item.indexOf('=');
    if (eq >= 0 && KEYED.has(item.slice(0, eq))) {
      if (item.slice(0, eq) === 'quota') quotaMib = parseSizeMib(item.slice(eq + 1));
      continue;
    }
    if (!FLAGS.has(item)) throw fail(`mount option "${item}" must be a flag or key=value`);
    if (item === 'ro' || item === 'readonly') options.readonly = true;
    if (item === 'noexec' || item === 'nosuid' || item === 'nodev') options[item] = true;
  }
  return { options, quotaMib };
}

/** msb stores mounts sorted by (path depth, guest path). */
export function sortMounts(mounts) {
  const depth = (path) => path.split('/').filter(Boolean).length;
  return [...mounts].sort((a, b) => depth(a.guest) - depth(b.guest) || (a.guest < b.guest ? -1 : a.guest > b.guest ? 1 : 0));
}
