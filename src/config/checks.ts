/**
 * Semantic checks the schema cannot express: relations between values (idle ≤ max, distinct tokens, unique
 * mount targets, host ports unique across sandboxes) and names reserved by microsandbox or owctl.
 */
import { isIP } from 'node:net';
import type { DesiredSandbox } from '../model/desired.ts';
import { OWCTL_LABEL_PREFIX } from '../model/labels.ts';
import { PUBLIC_TOKENS } from '../model/public-tokens.ts';
import { formatPath, type Issue, type Segment } from './issue.ts';
import { formatDuration } from '../model/units.ts';
import { checkValues } from './value-checks.ts';
import { checkNetwork } from './network-checks.ts';
import { DEFAULTS } from './defaults.ts';

/** Label prefixes msb reserves, plus owctl's own. */
export const RESERVED_LABEL_PREFIXES = ['sandbox.', 'microsandbox.', 'service.', OWCTL_LABEL_PREFIX];
export const RESERVED_ENV_PREFIX = 'MSB_';
const WILDCARDS = new Set(['0.0.0.0', '::']);
/** Guest folders the kernel fills (proc, sysfs, devtmpfs): never a mount target. */
const KERNEL_FOLDERS = ['/proc', '/sys', '/dev'];

export function checkSandbox(sandbox: DesiredSandbox): Issue[] {
  const at = (...rest: Segment[]): Segment[] => ['sandboxes', sandbox.name, ...rest];
  return [...checkLifecycle(sandbox, at), ...checkTokens(sandbox, at), ...checkEnv(sandbox, at), ...checkLabels(sandbox, at), ...checkMounts(sandbox, at), ...checkBinds(sandbox, at), ...checkServer(sandbox, at), ...checkValues(sandbox, at), ...checkNetwork(sandbox, at)];
}

type At = (...rest: Segment[]) => Segment[];

function checkLifecycle(sandbox: DesiredSandbox, at: At): Issue[] {
  const { idleTimeoutSecs: idle, maxDurationSecs: max } = sandbox;
  if (idle === undefined || max === undefined || idle <= max) return [];
  return [
    {
      path: at('idle_timeout'),
      message: `idle_timeout (${formatDuration(idle)}) is longer than max_duration (${formatDuration(max)})`,
      hint: 'the sandbox would always stop at max_duration first; shorten idle_timeout or lengthen max_duration',
    },
  ];
}

function checkTokens(sandbox: DesiredSandbox, at: At): Issue[] {
  const issues: Issue[] = [];
  const { tokens } = sandbox;
  if (tokens.client !== '' && tokens.client === tokens.host) {
    issues.push({ path: at('tokens', 'host'), message: 'the host token is the same as the client token', hint: 'use two different secrets: a client must not get host rights' });
  }
  for (const key of ['client', 'host'] as const) {
    if (PUBLIC_TOKENS.includes(tokens[key])) {
      issues.push({ path: at('tokens', key), message: 'is a public default token of the OpenWork image: anyone could use it', hint: 'use a secret of your own: `owctl init` writes fresh tokens to .env' });
    }
  }
  if (tokens.clientEnv === tokens.hostEnv) {
    issues.push({ path: at('tokens', 'host_env'), message: `client_env and host_env are both ${tokens.hostEnv}`, hint: 'give each token its own variable name' });
  }
  for (const [key, name] of [['client_env', tokens.clientEnv], ['host_env', tokens.hostEnv]] as const) {
    if (name.startsWith(RESERVED_ENV_PREFIX)) issues.push(reservedEnv(at('tokens', key), name, 'value'));
  }
  return issues;
}

function checkEnv(sandbox: DesiredSandbox, at: At): Issue[] {
  const issues: Issue[] = [];
  for (const key of Object.keys(sandbox.env)) {
    if (key.startsWith(RESERVED_ENV_PREFIX)) issues.push(reservedEnv(at('env', key), key, 'key'));
    if (key === sandbox.tokens.clientEnv || key === sandbox.tokens.hostEnv) {
      const which = key === sandbox.tokens.clientEnv ? 'client' : 'host';
      issues.push({ path: at('env', key), on: 'key', message: `${key} is where the ${which} token goes`, hint: `set the token under tokens.${which}, not in env` });
    }
  }
  return issues;
}

function reservedEnv(path: Segment[], name: string, on: 'key' | 'value'): Issue {
  return { path, on, message: `${JSON.stringify(name)} starts with ${RESERVED_ENV_PREFIX}, which microsandbox reserves`, hint: 'choose another variable name' };
}

function checkLabels(sandbox: DesiredSandbox, at: At): Issue[] {
  return Object.keys(sandbox.labels).flatMap((key) => {
    const prefix = RESERVED_LABEL_PREFIXES.find((reserved) => key.startsWith(reserved));
    if (prefix === undefined) return [];
    const owner = prefix === OWCTL_LABEL_PREFIX ? 'owctl' : 'microsandbox';
    return [{ path: at('labels', key), on: 'key' as const, message: `${JSON.stringify(key)} starts with ${prefix}, which ${owner} reserves`, hint: 'choose another label key' }];
  });
}

function checkMounts(sandbox: DesiredSandbox, at: At): Issue[] {
  const issues: Issue[] = [];
  const seen = new Map<string, number>();
  sandbox.mounts.forEach((mount, index) => {
    if (mount.target === '/') issues.push({ path: at('mounts', index, 'target'), message: 'cannot mount over the guest root "/"', hint: 'mount into a folder such as /workspace' });
    const kernel = KERNEL_FOLDERS.find((folder) => mount.target === folder || mount.target.startsWith(`${folder}/`));
    if (kernel !== undefined) {
      issues.push({ path: at('mounts', index, 'target'), message: `${mount.target} is in ${kernel}, where the guest kernel and its agent keep their own files: a mount there would hide them`, hint: 'mount into a folder of its own, such as /data or /workspace' });
    }
    const first = seen.get(mount.target);
    if (first === undefined) seen.set(mount.target, index);
    else issues.push({ path: at('mounts', index, 'target'), message: `${mount.target} is already the target of ${formatPath(at('mounts', first))}`, hint: 'each guest path can hold one mount' });
  });
  return issues;
}

function checkBinds(sandbox: DesiredSandbox, at: At): Issue[] {
  return sandbox.ports.flatMap((port, index) =>
    isIP(port.bind) === 0 ? [{ path: at('ports', index, 'bind'), message: `${JSON.stringify(port.bind)} is not an IP address`, hint: 'use 127.0.0.1 (this machine only), 0.0.0.0 (every interface) or another address of this host' }] : [],
  );
}

/**
 * Why owctl must not set the server's port variable (`server.port_env`): msb reserves it, or a token goes there.
 * null when it is the port's own; normalise.ts sets it only then, and checkServer reports the rest.
 */
export function portEnvTaken(sandbox: Pick<DesiredSandbox, 'serverPortEnv' | 'tokens'>): 'reserved' | 'client' | 'host' | null {
  const name = sandbox.serverPortEnv;
  if (name.startsWith(RESERVED_ENV_PREFIX)) return 'reserved';
  if (name === sandbox.tokens.clientEnv) return 'client';
  if (name === sandbox.tokens.hostEnv) return 'host';
  return null;
}

/**
 * The server's port variable must be its own, and when ports are published, one of them must be the server's guest
 * port: else the server is out of reach, and apply's verification, status and connect have no URL.
 */
function checkServer(sandbox: DesiredSandbox, at: At): Issue[] {
  const issues: Issue[] = [];
  const { serverPort: port, serverPortEnv: name } = sandbox;
  const taken = portEnvTaken(sandbox);
  if (taken === 'reserved') issues.push(reservedEnv(at('server', 'port_env'), name, 'value'));
  else if (taken !== null) {
    issues.push({ path: at('server', 'port_env'), message: `${name} is where the ${taken} token goes`, hint: 'give the port its own variable, e.g. OPENWORK_PORT' });
  }
  // The port variable set in env is reported where it is (normalise.ts), with the fix for both.
  const portInEnv = Object.hasOwn(sandbox.env, name) && (port === DEFAULTS.serverPort || sandbox.env[name] !== String(port));
  // A port the schema already refused (no guest port, a misspelt protocol) leaves the question open.
  const judged = [...sandbox.ports].every((p) => p !== undefined && Number.isInteger(p.guest) && (p.protocol === 'tcp' || p.protocol === 'udp'));
  const tcp = sandbox.ports.filter((p) => p.protocol === 'tcp');
  if (judged && !portInEnv && sandbox.ports.length > 0 && !tcp.some((p) => p.guest === port)) {
    const other = tcp.length === 1 ? tcp[0]!.guest : undefined;
    const publish = `publish it, e.g. { host: ${port}, guest: ${port} }`;
    issues.push({
      path: at('ports'),
      message: `no port publishes guest port ${port}, where the OpenWork server listens (server.port)`,
      hint: other === undefined ? publish : `${publish}, or, if the server listens on guest port ${other}, write server: { port: ${other} }`,
    });
  }
  return issues;
}

/** Host ports must be unique across every sandbox in the file (same protocol, overlapping bind address). */
export function checkHostPorts(sandboxes: readonly DesiredSandbox[]): Issue[] {
  const issues: Issue[] = [];
  const taken = new Map<string, Array<{ bind: string; path: Segment[] }>>();
  for (const sandbox of sandboxes) {
    sandbox.ports.forEach((port, index) => {
      const path: Segment[] = ['sandboxes', sandbox.name, 'ports', index];
      const key = `${port.host}/${port.protocol}`;
      const holders = taken.get(key) ?? [];
      const clash = holders.find((other) => overlaps(other.bind, port.bind));
      if (clash) {
        issues.push({ path: [...path, 'host'], message: `host port ${key} is already used by ${formatPath(clash.path)}`, hint: 'give each sandbox its own host port' });
      } else {
        taken.set(key, [...holders, { bind: port.bind, path }]);
      }
    });
  }
  return issues;
}

function overlaps(a: string, b: string): boolean {
  return a === b || WILDCARDS.has(a) || WILDCARDS.has(b);
}
