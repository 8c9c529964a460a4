// Network policy and secrets as msb 0.6.18 records and enforces them (measured here with the real binary, and read
// from crates/cli/lib/net_rule.rs and sdk/rust/lib/sandbox/config.rs):
// - any of --net-rule, --net-default-egress, --secret, --on-secret-violation fills `config.network` with dns,
//   interface, policy, secrets and tls (otherwise it stays sparse);
// - without --net-default-egress the policy is default egress deny, the given rules, then allow@dns and allow@public;
// - a secret stores only its source (`value: ""`); TLS interception is on when the sandbox is created with a secret;
//   `msb modify --secret` leaves it as it was;
// - at every boot msb reads each secret's value from its own environment: unset or empty → `invalid config`.
// The guest sees `$MSB_<ENV>` in ENV, and with TLS interception agentd's CA variables.
import { isIP } from 'node:net';
import { fail } from './errors.mjs';

const GROUPS = new Set(['public', 'private', 'loopback', 'link-local', 'meta', 'multicast', 'host']);
const PROTOCOLS = new Set(['tcp', 'udp', 'icmpv4', 'icmpv6']);
const VIOLATIONS = ['block', 'block-and-log', 'block-and-terminate', 'passthrough'];
const GRAMMAR = '`<action>[:<direction>]@<target>[:<proto>[:<ports>]]`';
const DNS_RULE = { action: 'allow', destination: { group: 'host' }, direction: 'egress', ports: [{ end: 53, start: 53 }], protocols: ['udp', 'tcp'] };
const PUBLIC_RULE = { action: 'allow', destination: { group: 'public' }, direction: 'egress', ports: [], protocols: [] };
/** What agentd sets when it installs msb's interception CA (crates/agentd/lib/tls.rs). */
const BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
export const TLS_GUEST_ENV = { SSL_CERT_FILE: BUNDLE, REQUESTS_CA_BUNDLE: BUNDLE, CURL_CA_BUNDLE: BUNDLE, NODE_EXTRA_CA_CERTS: '/.msb/tls/ca.pem' };

/** The create flags' part of the spec, or null when none was given. Errors in msb's words and order. */
export function networkOptions(opts) {
  const given = ['net-rule', 'net-default-egress', 'secret', 'on-secret-violation'].some((key) => opts[key] !== undefined);
  if (!given) return null;
  const rules = (opts['net-rule'] ?? []).flatMap((arg) => arg.split(',').map((token) => parseRule(token.trim())));
  const egress = opts['net-default-egress'];
  if (egress !== undefined && egress !== 'allow' && egress !== 'deny') throw fail(`unknown --net-default-egress value ${JSON.stringify(egress)}; expected \`allow\` or \`deny\``);
  const violation = opts['on-secret-violation'];
  if (violation !== undefined && !VIOLATIONS.includes(violation)) throw fail(`invalid violation action: ${violation} (expected: ${VIOLATIONS.join(', ')})`);
  const secrets = (opts.secret ?? []).map((text) => parseSecret(text));
  return { rules, egress, violation, secrets };
}

/** `config.network` for a spec: sparse without network options. */
export function networkConfig(ports, options) {
  const base = { enabled: true, max_connections: null, ports, strict: false, trust_host_cas: false };
  if (options === null) return base;
  const policy = options.egress === undefined
    ? { default_egress: 'deny', default_ingress: 'allow', rules: [...options.rules, DNS_RULE, PUBLIC_RULE] }
    : { default_egress: options.egress, default_ingress: 'allow', rules: options.rules };
  return {
    ...base,
    dns: { nameservers: [], query_timeout_ms: 5000, rebind_protection: true },
    interface: {},
    policy: structuredClone(policy),
    secrets: { on_violation: options.violation ?? 'block-and-log', secrets: options.secrets.map((s) => secretEntry(s.name, s.hosts)) },
    tls: tlsConfig(options.secrets.length > 0),
  };
}

/** `msb modify --secret` on a sandbox recorded without network options: the default policy, interception off. */
export function ensureNetworkPolicy(config) {
  if (config.network.policy !== undefined) return;
  config.network = networkConfig(config.network.ports, { rules: [], egress: undefined, violation: undefined, secrets: [] });
}

function tlsConfig(enabled) {
  return {
    block_quic_on_intercept: true,
    bypass: [],
    cache: { capacity: 1000, validity_hours: 24 },
    enabled,
    intercept_ca: { cert_path: null, key_path: null },
    intercepted_ports: [443],
    scoped_upstream_ca_cert: [],
    scoped_verify_upstream: [],
    upstream_ca_cert: [],
    verify_upstream: true,
  };
}

export function secretEntry(name, hosts) {
  return {
    allowed_hosts: hosts.map((host) => (host.startsWith('*.') ? { wildcard: host } : { exact: host })),
    env_var: name,
    injection: { basic_auth: true, body: false, headers: true, query_params: false },
    placeholder: `$MSB_${name}`,
    require_tls_identity: true,
    source: { kind: 'env', var: name },
    value: '',
  };
}

/** `ENV@HOST[,HOST…]`; `ENV=VALUE@HOST` is refused (the value would be stored at rest). */
export function parseSecret(text, command = 'create') {
  const at = text.indexOf('@');
  if (at <= 0 || at === text.length - 1) throw fail('secret must be in format ENV@HOST[,HOST...]');
  const name = text.slice(0, at);
  if (name.includes('=')) {
    const key = name.slice(0, name.indexOf('='));
    throw fail(
      `inline secret values (\`${key}=VALUE@HOST\`) are not supported by \`${command}\`: the value would be stored in the sandbox config at rest. Export the value as a host environment variable and reference it with \`${key}@HOST\` instead, which is resolved from the environment at start time.`,
    );
  }
  return { name, hosts: text.slice(at + 1).split(',') };
}

/** Every secret's source variable must be set and non-empty in msb's environment when it boots the sandbox. */
export function secretProblem(config, env) {
  for (const secret of config.network?.secrets?.secrets ?? []) {
    const name = secret.source?.var ?? secret.env_var;
    if (env[name] === undefined) return `invalid config: secret ${secret.env_var}: host environment variable ${name} is not set`;
    if (env[name] === '') return `invalid config: secret ${secret.env_var}: host environment variable ${name} is empty`;
  }
  return null;
}

/** What the guest's processes see beyond the config's env: each secret's placeholder, and the CA variables. */
export function guestNetworkEnv(config) {
  const network = config.network ?? {};
  const placeholders = Object.fromEntries((network.secrets?.secrets ?? []).map((s) => [s.env_var, s.placeholder]));
  return { ...(network.tls?.enabled ? TLS_GUEST_ENV : {}), ...placeholders };
}

function parseRule(token) {
  const at = token.indexOf('@');
  if (at < 0) throw fail(`rule token \`${token}\` is missing \`@\`; expected ${GRAMMAR}`);
  const [action, direction = 'egress'] = token.slice(0, at).split(':');
  if (action !== 'allow' && action !== 'deny') throw fail(`\`${action}\` is not a recognized action. Expected \`allow\` or \`deny\``);
  const right = token.slice(at + 1);
  if (right === 'dns' || right.startsWith('dns:')) return { ...structuredClone(DNS_RULE), action };
  let target;
  let rest;
  if (right.startsWith('[')) {
    const close = right.indexOf(']');
    target = right.slice(1, close);
    const after = right.slice(close + 1);
    rest = after.startsWith(':') ? after.slice(1).split(':') : [];
  } else [target, ...rest] = right.split(':');
  const [proto, ports] = rest;
  if (proto !== undefined && /^[0-9]+$/.test(proto)) {
    throw fail(`\`${proto}\` is a port, not a protocol; did you mean \`${target}:tcp:${proto}\`? port numbers don't belong in the target`);
  }
  return {
    action,
    destination: destinationOf(target),
    direction,
    ports: parsePorts(ports),
    protocols: proto === undefined || proto === 'any' ? [] : parseProtocol(proto),
  };
}

function destinationOf(target) {
  if (target === 'any') return 'any';
  if (GROUPS.has(target)) return { group: target };
  if (isIP(target) === 4) return { cidr: `${target}/32` };
  if (isIP(target) === 6) return { cidr: `${target}/128` };
  if (target.includes('/')) return { cidr: target };
  if (target.startsWith('*.')) return { domain_suffix: target.slice(2).toLowerCase() };
  if (target.startsWith('suffix=')) return { domain_suffix: target.slice(7).toLowerCase() };
  if (target.startsWith('domain=')) return { domain: target.slice(7).toLowerCase() };
  return { domain: target.toLowerCase() };
}

function parseProtocol(proto) {
  if (!PROTOCOLS.has(proto)) throw fail(`\`${proto}\` is not a recognized protocol`);
  return [proto];
}

function parsePorts(raw) {
  if (raw === undefined || raw === 'any') return [];
  const [lo, hi = lo] = raw.split('-').map(Number);
  return [{ end: hi, start: lo }];
}

export { VIOLATIONS };
