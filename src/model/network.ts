/**
 * Egress rules as data: what kind of target a rule names, and what a declared policy does to an HTTPS request to a
 * host name. Pure; shared by the file's checks (a credential its rules block) and the planner's warnings.
 * Matching follows microsandbox's policy (crates/network/lib/policy): first match wins, a suffix matches its apex and
 * every subdomain, the group `public` matches every public address, and without rules the default action decides.
 */
import { isIP } from 'node:net';
import type { DesiredSandbox, EgressAction, NetworkRule } from './desired.ts';

/** Kinds of rule targets; runtimes say which they can express (BackendCapabilities.egress.targets). */
export type NetworkTargetKind = 'domain' | 'suffix' | 'ip' | 'cidr' | 'group';

/** microsandbox's destination groups (`--net-rule` grammar), plus `any` and the `dns` shorthand. */
export const NETWORK_GROUPS = ['any', 'dns', 'host', 'link-local', 'loopback', 'meta', 'multicast', 'private', 'public'] as const;
const GROUPS: ReadonlySet<string> = new Set(NETWORK_GROUPS);

const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?';
const HOST_NAME = new RegExp(`^(?=.{1,253}$)${LABEL}(?:\\.${LABEL})*\\.?$`);
const SUFFIX = new RegExp(`^\\*\\.(?=.{1,251}$)${LABEL}(?:\\.${LABEL})+\\.?$`);

/** A host name (`api.example.com`), not an address. */
export function isHostName(value: string): boolean {
  return HOST_NAME.test(value) && isIP(value) === 0 && !/^[0-9.]+$/.test(value);
}

/** A credential host: a host name or `*.suffix` (at least two labels after the star). */
export function isCredentialHost(value: string): boolean {
  return isHostName(value) || SUFFIX.test(value);
}

/** The kind of target `target` names, or undefined when it is none (a typo, a URL, a port in the target). */
export function targetKind(target: string): NetworkTargetKind | undefined {
  if (GROUPS.has(target)) return 'group';
  if (isIP(unbracket(target)) !== 0) return 'ip';
  if (isCidr(unbracket(target))) return 'cidr';
  if (SUFFIX.test(target)) return 'suffix';
  if (isHostName(target)) return 'domain';
  return undefined;
}

function unbracket(value: string): string {
  return value.startsWith('[') && value.endsWith(']') ? value.slice(1, -1) : value;
}

function isCidr(value: string): boolean {
  const slash = value.lastIndexOf('/');
  if (slash < 0) return false;
  const family = isIP(value.slice(0, slash));
  const bits = value.slice(slash + 1);
  return family !== 0 && /^[0-9]{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}

/** What a policy does to a request: certain, or not decidable from names alone (an IP or CIDR rule). */
export type Verdict = 'allowed' | 'blocked' | 'unknown';

const canonical = (host: string): string => host.toLowerCase().replace(/\.$/, '');

/**
 * Whether `rule` applies to TCP port `port` of public host `host` (`*.suffix` hosts stand for a subdomain):
 * true, false, or undefined when names cannot tell (an IP or CIDR target).
 */
function ruleMatches(rule: NetworkRule, host: string, port: number): boolean | undefined {
  if (rule.protocol === 'udp') return false;
  if (rule.ports.length > 0 && !rule.ports.includes(port)) return false;
  const name = canonical(host.startsWith('*.') ? `owctl-any-subdomain.${host.slice(2)}` : host);
  switch (targetKind(rule.target)) {
    case 'group':
      return rule.target === 'any' || rule.target === 'public';
    case 'domain':
      return canonical(rule.target) === name;
    case 'suffix': {
      const suffix = canonical(rule.target.slice(2));
      return name === suffix || name.endsWith(`.${suffix}`);
    }
    case 'ip':
    case 'cidr':
      return undefined;
    default:
      return false;
  }
}

/**
 * microsandbox's default when the file names no `egress` (measured with msb 0.6.18): default egress deny, and after
 * the file's rules (if any) an allow of the gateway's DNS and of every public address (its `public` profile).
 */
export const MSB_IMPLICIT_EGRESS: { egress: EgressAction; rules: NetworkRule[] } = {
  egress: 'deny',
  rules: [
    { action: 'allow', target: 'dns', ports: [] },
    { action: 'allow', target: 'public', ports: [] },
  ],
};

/** The policy a sandbox runs with: the file's, completed by `implicit` when the file names no egress default. */
export function effectivePolicy(sandbox: Pick<DesiredSandbox, 'network'>, implicit = MSB_IMPLICIT_EGRESS): { egress: EgressAction; rules: NetworkRule[] } {
  const egress = sandbox.network?.egress;
  const rules = (sandbox.network?.rules ?? []).filter((rule) => rule !== undefined);
  return egress === undefined ? { egress: implicit.egress, rules: [...rules, ...implicit.rules] } : { egress, rules };
}

/** What the sandbox's policy (with the runtime's implicit part) does to HTTPS (TCP 443) to `host`. */
export function egressVerdict(sandbox: Pick<DesiredSandbox, 'network'>, host: string, port = 443, implicit = MSB_IMPLICIT_EGRESS): Verdict {
  const { egress, rules } = effectivePolicy(sandbox, implicit);
  let uncertain = false;
  for (const rule of rules) {
    const match = ruleMatches(rule, host, port);
    if (match === undefined) uncertain = true;
    else if (match) return uncertain ? 'unknown' : rule.action === 'allow' ? 'allowed' : 'blocked';
  }
  if (uncertain) return 'unknown';
  return egress === 'allow' ? 'allowed' : 'blocked';
}

/**
 * A policy's rules in one canonical text each, as both the file and the runtime's record reduce to them: one entry
 * per port, `ACTION@DESTINATION[:PROTOCOLS[:PORTS]]`, addresses as CIDRs, host names lower-case, the `dns` shorthand
 * as the rule it stands for. Equal lists mean equal rules.
 */
export function canonicalRules(rules: readonly NetworkRule[]): string[] {
  return rules.flatMap((rule) => {
    if (rule.target === 'dns') {
      return [canonicalRule(rule.action, 'host', rule.protocol ? [rule.protocol] : ['udp', 'tcp'], '53')];
    }
    const protocols = rule.protocol ? [rule.protocol] : rule.ports.length > 0 ? ['tcp'] : [];
    const destination = canonicalDestination(rule.target);
    if (rule.ports.length === 0) return [canonicalRule(rule.action, destination, protocols, '')];
    return rule.ports.map((port) => canonicalRule(rule.action, destination, protocols, String(port)));
  });
}

/** One canonical rule from its parts (the runtime's normaliser builds the same text from its record). */
export function canonicalRule(action: EgressAction, destination: string, protocols: readonly string[], ports: string): string {
  const proto = protocols.length === 0 ? (ports === '' ? '' : ':any') : `:${protocols.join('+')}`;
  return `${action}@${destination}${proto}${ports === '' ? '' : `:${ports}`}`;
}

function canonicalDestination(target: string): string {
  const kind = targetKind(target);
  const bare = unbracket(target);
  if (kind === 'ip') return `${bare.toLowerCase()}/${isIP(bare) === 4 ? 32 : 128}`;
  if (kind === 'cidr') return bare.toLowerCase();
  if (kind === 'domain' || kind === 'suffix') return canonical(target);
  return target;
}
