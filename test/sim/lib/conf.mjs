// `msb create/run --conf FILE`: a sparse single-sandbox config in YAML or JSON. Strict like msb 0.6.18 (serde with
// deny_unknown_fields): unknown and duplicate keys are errors, `name` is refused, `${VAR}` in string values is
// expanded from msb's environment (no escape), relative paths resolve against the file's folder, un-normalised.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fail, unsupported } from './errors.mjs';
import { bindMount, mountOptions, namedMount, parseVolumeFlag, tmpfsMount } from './mounts.mjs';
import { parseDurationSecs, parsePort, parseSizeMib } from './values.mjs';
import { YamlError, parseYaml } from './yaml.mjs';

const ROOT_KEYS = [
  'image', 'pull_policy', 'registry', 'cpus', 'memory', 'max_duration', 'idle_timeout', 'rlimits', 'workdir', 'shell',
  'user', 'hostname', 'security', 'entrypoint', 'cmd', 'env', 'labels', 'init', 'mounts', 'patch_files', 'patches',
  'network', 'secrets', 'scripts', 'ports',
];
const NOT_SIMULATED = new Set(['registry', 'rlimits', 'security', 'init', 'patch_files', 'patches', 'secrets', 'scripts']);
const PULL = { missing: 'IfMissing', always: 'Always', never: 'Never' };

/** Reads `path` and returns the partial spec it declares (see sandbox-options.mjs for the shape). */
export function loadConf(path, env = process.env) {
  const where = `invalid sandbox configuration ${path}`;
  let text;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const detail = error.code === 'ENOENT' ? 'No such file or directory (os error 2)' : error.message;
    throw fail(`failed to read sandbox configuration ${path}: ${detail}`);
  }
  let root;
  try {
    root = parseYaml(text);
  } catch (error) {
    if (error instanceof YamlError) throw fail(`${where}: ${error.render()}`);
    throw error;
  }
  const bad = (detail) => fail(`${where}: ${detail}`);
  if (root.t === 'seq' && root.items.length === 0) root = { t: 'map', entries: [] };
  if (root.t !== 'map') throw bad(`invalid type: ${describe(root)}, expected struct SandboxConfigInput`);
  if (root.entries.some(([key]) => key.v === 'name')) {
    throw fail(`${path}: \`name\` is project-only and is not valid in sandbox configuration; use \`msb compose --conf ${path}\` for a Composefile`);
  }
  interpolate(root, env, bad);
  const dir = dirname(resolve(path));
  const spec = { env: [], labels: [], mounts: [], autoCreate: [], requireVolumes: [], ports: [] };
  const deferred = [];
  for (const [keyNode, value] of root.entries) {
    const key = String(keyNode.v);
    if (!ROOT_KEYS.includes(key)) {
      throw bad(`unknown field \`${key}\`, expected one of ${ROOT_KEYS.map((k) => `\`${k}\``).join(', ')}`);
    }
    if (NOT_SIMULATED.has(key)) throw unsupported(`the --conf key \`${key}\``);
    deferred.push(readKey(key, value, spec, dir, bad));
  }
  // msb type-checks the whole file first, then converts values (sizes, durations, ports).
  for (const finish of deferred) finish?.();
  return spec;
}

function readKey(key, node, spec, dir, bad) {
  if (node.t === 'null' && key !== 'image') return undefined;
  switch (key) {
    case 'image':
      spec.image = image(node, dir, bad);
      return undefined;
    case 'pull_policy': {
      const text = str(node, bad);
      if (!(text in PULL)) throw bad(`unknown variant \`${text}\`, expected one of \`missing\`, \`always\`, \`never\``);
      spec.pull = PULL[text];
      return undefined;
    }
    case 'cpus':
      spec.cpus = u8(node, bad);
      return undefined;
    case 'memory': {
      const text = str(node, bad);
      return () => (spec.memoryMib = parseSizeMib(text, 'memory: '));
    }
    case 'max_duration':
    case 'idle_timeout': {
      const text = str(node, bad);
      return () => (spec[key === 'max_duration' ? 'maxDurationSecs' : 'idleTimeoutSecs'] = parseDurationSecs(text));
    }
    case 'workdir':
    case 'shell':
    case 'user':
    case 'hostname':
      spec[key] = str(node, bad);
      return undefined;
    case 'entrypoint':
    case 'cmd':
      spec[key] = seq(node, bad).map((item) => str(item, bad));
      return undefined;
    case 'env':
    case 'labels':
      // msb keeps both maps sorted by key.
      spec[key] = stringMap(node, bad).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return undefined;
    case 'mounts': {
      const items = seq(node, bad).map((item) => mountInput(item, dir, bad));
      return () => items.forEach((finish) => finish(spec));
    }
    case 'network':
      return network(node, spec, bad);
    case 'ports': {
      const specs = seq(node, bad).map((item) => str(item, bad));
      return () => spec.ports.push(...specs.map(parsePort));
    }
    default:
      throw unsupported(`the --conf key \`${key}\``);
  }
}

function image(node, dir, bad) {
  if (node.t === 'str') return classifyImage(node.v, dir);
  const mismatch = () => bad('data did not match any variant of untagged enum ImageInput');
  if (node.t !== 'map' || node.entries.length !== 1) throw mismatch();
  const [[keyNode, value]] = node.entries;
  if (value.t !== 'str') throw mismatch();
  if (keyNode.v === 'oci') return { kind: 'oci', ref: value.v };
  if (keyNode.v === 'bind') return { kind: 'bind', path: relativeTo(dir, value.v) };
  if (keyNode.v === 'disk') throw unsupported('disk-image rootfs (`image: {disk: …}`)');
  throw mismatch();
}

/** A string image is a path when it looks like one (`/x`, `./x`, `../x`), else an OCI reference. */
export function classifyImage(text, dir) {
  if (text.startsWith('/') || text.startsWith('./') || text.startsWith('../') || text === '.' || text === '..') {
    return { kind: 'bind', path: dir === undefined ? text : relativeTo(dir, text) };
  }
  return { kind: 'oci', ref: text };
}

function mountInput(node, dir, bad) {
  const mismatch = () => bad('data did not match any variant of untagged enum MountInput');
  if (node.t === 'str') {
    // String mounts are host paths (relative to the file's folder), `SOURCE:/GUEST[:OPTIONS]`.
    return (spec) => {
      const colon = node.v.indexOf(':');
      const source = colon < 0 ? node.v : node.v.slice(0, colon);
      const rest = colon < 0 ? '' : node.v.slice(colon);
      const host = source.startsWith('/') ? source : relativeTo(dir, source);
      spec.mounts.push(parseVolumeFlag(`${host}${rest}`).mount);
    };
  }
  if (node.t !== 'map') throw mismatch();
  const fields = Object.fromEntries(node.entries.map(([k, v]) => [String(k.v), v]));
  const kinds = ['bind', 'named', 'tmpfs', 'disk'].filter((k) => k in fields);
  if (kinds.length !== 1 || fields.target?.t !== 'str') throw mismatch();
  const [kind] = kinds;
  const allowed = new Set([kind, 'target', 'readonly', ...(kind === 'named' ? ['create'] : [])]);
  if (Object.keys(fields).some((k) => !allowed.has(k))) throw mismatch();
  if ('readonly' in fields && fields.readonly.t !== 'bool') throw mismatch();
  if (kind === 'named' && 'create' in fields && !(fields.create.t === 'str' && fields.create.v === 'ensure-exists')) throw mismatch();
  const readonly = fields.readonly?.v === true;
  const target = fields.target.v;
  if (kind === 'disk') throw unsupported('disk-image mounts');
  if (kind === 'tmpfs') {
    const tmpfs = fields.tmpfs;
    if (tmpfs.t !== 'map' || tmpfs.entries.some(([k, v]) => k.v !== 'size' || v.t !== 'str')) throw mismatch();
    const size = tmpfs.entries[0]?.[1].v;
    return (spec) => {
      checkTarget(target);
      spec.mounts.push(tmpfsMount(target, size === undefined ? null : parseSizeMib(size, 'mount.tmpfs.size: '), mountOptions(readonly)));
    };
  }
  if (fields[kind].t !== 'str') throw mismatch();
  const source = fields[kind].v;
  return (spec) => {
    checkTarget(target);
    if (kind === 'bind') spec.mounts.push(bindMount(relativeTo(dir, source), target, mountOptions(readonly)));
    else {
      spec.mounts.push(namedMount(source, target, mountOptions(readonly)));
      (fields.create ? spec.autoCreate : spec.requireVolumes).push(source);
    }
  };
}

function checkTarget(target) {
  if (!target.startsWith('/')) throw fail(`mount.target must be an absolute guest path, got ${JSON.stringify(target)}`);
}

function network(node, spec, bad) {
  const mismatch = () => bad('data did not match any variant of untagged enum NetworkInput');
  if (node.t !== 'map') throw mismatch();
  const specs = [];
  for (const [keyNode, value] of node.entries) {
    if (keyNode.v === 'ports') {
      if (value.t !== 'seq' || value.items.some((item) => item.t !== 'str')) throw mismatch();
      specs.push(...value.items.map((item) => item.v));
    } else if (['policy', 'dns', 'tls', 'rules', 'default_egress', 'default_ingress', 'max_connections'].includes(keyNode.v)) {
      throw unsupported(`network.${keyNode.v} in --conf`);
    } else {
      throw mismatch();
    }
  }
  return () => spec.ports.unshift(...specs.map(parsePort));
}

/** msb joins a relative path onto the file's folder without normalising it (`/dir/./x`). */
function relativeTo(dir, path) {
  return path.startsWith('/') ? path : `${dir}/${path}`;
}

function interpolate(node, env, bad) {
  if (node.t === 'str') {
    node.v = node.v.replace(/\$\{([^}]*)\}/g, (_, name) => {
      if (env[name] === undefined) throw bad(`environment variable "${name}" is not set`);
      return env[name];
    });
  } else if (node.t === 'map') {
    for (const [, value] of node.entries) interpolate(value, env, bad);
  } else if (node.t === 'seq') {
    for (const item of node.items) interpolate(item, env, bad);
  }
}

function describe(node) {
  switch (node.t) {
    case 'int':
      return `integer \`${node.v}\``;
    case 'float':
      return `floating point \`${Number.isInteger(node.v) ? node.v.toFixed(1) : node.v}\``;
    case 'bool':
      return `boolean \`${node.v}\``;
    case 'str':
      return `string ${JSON.stringify(node.v)}`;
    case 'null':
      return 'null';
    case 'seq':
      return 'sequence';
    default:
      return 'map';
  }
}

function str(node, bad) {
  if (node.t !== 'str') throw bad(`invalid type: ${describe(node)}, expected a string`);
  return node.v;
}

function u8(node, bad) {
  if (node.t === 'int') {
    if (node.v < 0n || node.v > 255n) throw bad(`invalid value: integer \`${node.v}\`, expected u8`);
    return Number(node.v);
  }
  throw bad(`invalid type: ${describe(node)}, expected u8`);
}

function seq(node, bad) {
  if (node.t !== 'seq') throw bad(`invalid type: ${describe(node)}, expected a sequence`);
  return node.items;
}

function stringMap(node, bad) {
  if (node.t !== 'map') throw bad(`invalid type: ${describe(node)}, expected a map`);
  return node.entries.map(([key, value]) => [String(key.v), str(value, bad)]);
}
