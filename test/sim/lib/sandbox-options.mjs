// `msb create` / `msb run` options: the clap spec, and the merge of `--conf FILE` with flags into one "spec":
//   { name, image: {kind:'oci',ref}|{kind:'bind',path}, pull, cpus, maxCpus, memoryMib, maxMemoryMib,
//     env: [[k,v]…], labels: [[k,v]…], mounts: [mount…], autoCreate: [volume…], requireVolumes: [volume…],
//     ports: [port…], idleTimeoutSecs, maxDurationSecs, entrypoint, cmd, workdir, user, hostname, shell }
// Flags win over the file; list flags add to the file's lists. Values are parsed in the order msb 0.6.18 reports
// their errors: memory, env, volumes, named mounts, tmpfs, durations, ports, pull policy.
import { classifyImage, loadConf } from './conf.mjs';
import { networkOptions } from './network.mjs';
import { fail, unsupported } from './errors.mjs';
import { parseNamedFlag, parseTmpfsFlag, parseVolumeFlag } from './mounts.mjs';
import { parseDurationSecs, parseEnvArg, parseLabelArg, parsePort, parseSizeMib } from './values.mjs';

const value = (long, short, name, extra = {}) => ({ long, short, value: name, ...extra });
const many = (long, short, name) => ({ long, short, value: name, multiple: true });
const flag = (long, short) => ({ long, short });

/** Options the simulator implements. */
const IMPLEMENTED = [
  value('conf', undefined, 'PATH'),
  value('name', 'n', 'NAME'),
  value('cpus', 'c', 'CPUS', { type: 'u8' }),
  value('max-cpus', undefined, 'MAX_CPUS', { type: 'u8' }),
  value('memory', 'm', 'MEMORY'),
  value('max-memory', undefined, 'SIZE'),
  many('volume', 'v', 'VOLUME'),
  many('mount-named', undefined, 'NAME:DEST[:OPTIONS]'),
  value('workdir', 'w', 'WORKDIR'),
  value('shell', undefined, 'SHELL'),
  many('env', 'e', 'ENV'),
  many('label', undefined, 'KEY[=VALUE]'),
  flag('replace'),
  flag('quiet', 'q'),
  many('tmpfs', undefined, 'TMPFS'),
  value('entrypoint', undefined, 'ENTRYPOINT'),
  value('hostname', 'H', 'HOSTNAME'),
  value('user', 'u', 'USER'),
  value('pull', undefined, 'PULL'),
  value('max-duration', undefined, 'MAX_DURATION'),
  value('idle-timeout', undefined, 'IDLE_TIMEOUT'),
  many('port', 'p', 'PORT'),
  many('net-rule', undefined, 'TOKENS'),
  value('net-default-egress', undefined, 'ACTION'),
  many('secret', undefined, 'SECRET'),
  value('on-secret-violation', undefined, 'ON_SECRET_VIOLATION'),
];

/** Options real msb 0.6.18 has that the simulator refuses (exit 1, saying so) rather than silently ignoring. */
const NOT_SIMULATED = [
  'net-conf', 'resource-conf', 'runtime-conf', 'fs-conf', 'secret-conf', 'script-conf', 'cpu-placement',
  'placement-profile', 'thp', 'mount-dir', 'mount-file', 'mount-disk', 'replace-with-timeout', 'security',
  'deployment-profile', 'script', 'script-raw', 'script-path', 'copy', 'copy-file', 'copy-dir', 'mkdir', 'rm', 'init',
  'init-arg', 'init-env', 'root-disk', 'log-level', 'vsock', 'net', 'dns-nameserver', 'dns-query-timeout-ms',
  'net-ipv4-pool', 'net-ipv6-pool', 'net-default', 'net-default-ingress',
  'net-egress-bandwidth', 'net-egress-bandwidth-burst', 'net-egress-ops', 'net-egress-ops-burst',
  'net-ingress-bandwidth', 'net-ingress-bandwidth-burst', 'net-ingress-ops', 'net-ingress-ops-burst',
  'max-connections', 'proxy', 'socks4-user-id', 'socks5-username', 'socks5-password-env', 'tls-intercept-port',
  'tls-bypass', 'tls-intercept-ca-cert', 'tls-intercept-ca-key', 'tls-upstream-ca-cert', 'tls-upstream-ca-cert-for',
  'tls-no-verify-upstream-for',
].map((long) => value(long, undefined, 'VALUE', { multiple: true, notSimulated: true }));
const NOT_SIMULATED_FLAGS = ['no-net', 'no-dns-rebind-protection', 'net-strict', 'trust-host-cas', 'tls-intercept', 'no-block-quic'].map(
  (long) => ({ long, notSimulated: true }),
);

export const CREATE_SPEC = {
  name: 'create',
  usage: 'msb create [OPTIONS] [IMAGE]',
  options: [...IMPLEMENTED, ...NOT_SIMULATED, ...NOT_SIMULATED_FLAGS],
  positionals: [{ name: 'IMAGE' }],
};

export const RUN_SPEC = {
  name: 'run',
  usage: 'msb run [OPTIONS] [IMAGE] [-- <COMMAND>...]',
  options: [
    ...IMPLEMENTED,
    flag('detach', 'd'),
    flag('tty', 't'),
    flag('no-tty'),
    value('timeout', undefined, 'TIMEOUT'),
    ...[value('from-snapshot', undefined, 'PATH_OR_NAME'), many('rlimit', undefined, 'RLIMIT'), value('detach-keys', undefined, 'DETACH_KEYS')].map(
      (o) => ({ ...o, notSimulated: true }),
    ),
    ...NOT_SIMULATED,
    ...NOT_SIMULATED_FLAGS,
  ],
  positionals: [{ name: 'IMAGE' }],
  trailing: 'COMMAND',
};

const PULL = { always: 'Always', 'if-missing': 'IfMissing', never: 'Never' };

/** The merged spec for `create`/`run`, or throws msb's first error. `opts` comes from parseArgs. */
export function sandboxSpec(opts, positionalImage, env = process.env) {
  const refused = [...CREATE_SPEC.options, ...RUN_SPEC.options].find((o) => o.notSimulated && opts[o.long] !== undefined);
  if (refused) throw unsupported(`--${refused.long}`);
  const spec = opts.conf !== undefined ? loadConf(opts.conf, env) : { env: [], labels: [], mounts: [], autoCreate: [], requireVolumes: [], ports: [] };
  if (positionalImage !== undefined) spec.image = classifyImage(positionalImage);
  if (spec.image === undefined) throw fail('missing required sandbox field `image`; provide an image argument or set `image` in --conf');
  if (opts.name !== undefined) spec.name = opts.name;
  if (opts.cpus !== undefined) spec.cpus = opts.cpus;
  if (opts['max-cpus'] !== undefined) spec.maxCpus = opts['max-cpus'];
  if (opts.memory !== undefined) spec.memoryMib = parseSizeMib(opts.memory);
  if (opts['max-memory'] !== undefined) spec.maxMemoryMib = parseSizeMib(opts['max-memory']);
  for (const text of opts.env ?? []) spec.env.push(parseEnvArg(text, env));
  for (const text of opts.volume ?? []) addMount(spec, parseVolumeFlag(text));
  for (const text of opts['mount-named'] ?? []) addMount(spec, parseNamedFlag(text));
  for (const text of opts.tmpfs ?? []) addMount(spec, parseTmpfsFlag(text));
  if (opts['max-duration'] !== undefined) spec.maxDurationSecs = parseDurationSecs(opts['max-duration']);
  if (opts['idle-timeout'] !== undefined) spec.idleTimeoutSecs = parseDurationSecs(opts['idle-timeout']);
  for (const text of opts.port ?? []) spec.ports.push(parsePort(text));
  if (opts.pull !== undefined) {
    if (!(opts.pull in PULL)) throw fail(`invalid pull policy: ${opts.pull} (expected: always, if-missing, never)`);
    spec.pull = PULL[opts.pull];
  }
  for (const text of opts.label ?? []) spec.labels.push(parseLabelArg(text));
  spec.network = networkOptions(opts);
  if (opts.entrypoint !== undefined) spec.entrypoint = [opts.entrypoint];
  for (const key of ['workdir', 'shell', 'user', 'hostname']) if (opts[key] !== undefined) spec[key] = opts[key];
  return spec;
}

function addMount(spec, { mount, autoCreate }) {
  spec.mounts.push(mount);
  if (autoCreate) spec.autoCreate.push(autoCreate);
}
