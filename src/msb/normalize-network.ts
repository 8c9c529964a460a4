/**
 * `config.network.policy`, `config.network.secrets` and `config.network.tls` of `msb inspect`, with owctl's
 * credentials label → ObservedEgress. Rules come back in the model's canonical text (model/network.ts), so the
 * planner compares them with the file's as plain strings. msb stores each secret's value as "" (it reads the value
 * from its environment at start): none is ever read here; owctl's label holds their salted digests.
 */
import { parseCredentialLabel } from '../model/credentials.ts';
import type { EgressAction, OnViolation } from '../model/desired.ts';
import type { EgressRecord, ObservedEgress } from '../model/egress-observed.ts';
import { LABEL_CREDENTIALS } from '../model/labels.ts';
import { canonicalRule } from '../model/network.ts';

type Json = Record<string, unknown>;

const VIOLATIONS: ReadonlySet<string> = new Set(['block', 'block-and-log', 'block-and-terminate', 'passthrough']);

export function normaliseEgress(network: Json, labels: Record<string, string>): ObservedEgress {
  const policy = isObject(network.policy) ? network.policy : null;
  const secrets = isObject(network.secrets) ? network.secrets : null;
  const credentials: Record<string, { hosts: string[] }> = {};
  for (const secret of Array.isArray(secrets?.secrets) ? secrets.secrets : []) {
    if (!isObject(secret) || typeof secret.env_var !== 'string') continue;
    const hosts = (Array.isArray(secret.allowed_hosts) ? secret.allowed_hosts : []).flatMap((host) =>
      isObject(host) && typeof (host.exact ?? host.wildcard) === 'string' ? [String(host.exact ?? host.wildcard)] : [],
    );
    credentials[secret.env_var] = { hosts };
  }
  const violation = String(secrets?.on_violation ?? '');
  return {
    policy: policy === null ? null : { egress: action(policy.default_egress), rules: (Array.isArray(policy.rules) ? policy.rules : []).flatMap(egressRule) },
    onViolation: VIOLATIONS.has(violation) ? (violation as OnViolation) : null,
    credentials: Object.fromEntries(Object.entries(credentials).sort(([a], [b]) => (a < b ? -1 : 1))),
    // msb turns TLS interception (where it swaps placeholders for values) on only when it creates a sandbox with a
    // secret; `msb modify --secret` leaves it as it was (measured with msb 0.6.18).
    injects: isObject(network.tls) && network.tls.enabled === true,
    record: credentialRecord(labels),
  };
}

/** owctl's `owctl.dev/credentials` label: the salted digest of each credential's value (model/credentials.ts). */
function credentialRecord(labels: Record<string, string>): EgressRecord | null {
  const label = parseCredentialLabel(labels[LABEL_CREDENTIALS]);
  return label === null ? null : { format: 'credential-label', salt: label.salt, values: label.digests, bindings: {} };
}

function action(value: unknown): EgressAction {
  return value === 'allow' ? 'allow' : 'deny';
}

/** One recorded rule → its canonical texts (one per port range); ingress-only rules are not owctl's. */
function egressRule(rule: unknown): string[] {
  if (!isObject(rule) || rule.direction === 'ingress') return [];
  const protocols = (Array.isArray(rule.protocols) ? rule.protocols : []).map(String);
  const ports = (Array.isArray(rule.ports) ? rule.ports : []).filter(isObject).map((range) => (range.start === range.end ? String(range.start) : `${String(range.start)}-${String(range.end)}`));
  const destination = destinationOf(rule.destination);
  const verb = action(rule.action);
  if (ports.length === 0) return [canonicalRule(verb, destination, protocols, '')];
  return ports.map((port) => canonicalRule(verb, destination, protocols, port));
}

function destinationOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (!isObject(value)) return JSON.stringify(value);
  if (typeof value.domain === 'string') return value.domain.toLowerCase();
  if (typeof value.domain_suffix === 'string') return `*.${value.domain_suffix.toLowerCase()}`;
  if (typeof value.cidr === 'string') return value.cidr.toLowerCase();
  if (typeof value.group === 'string') return value.group;
  return JSON.stringify(value);
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
