/**
 * `network` and `credentials` of a declared sandbox → msb's flags, and the environment msb reads credential values
 * from. Flags carry names and hosts only: `--secret VAR@HOST[,HOST]` makes msb read VAR from its own environment
 * when it starts the sandbox (msb refuses `VAR=VALUE@HOST`), so a value never reaches argv, a conf file or msb's
 * database. Grammar (msb 0.6.18 `--net-rule`): `<action>@<target>[:<proto>[:<port>]]`, one port per token.
 */
import { credentialsOf, onViolation, type CredentialSpec, type DesiredSandbox, type NetworkRule } from '../model/desired.ts';
import { targetKind } from '../model/network.ts';

/** `--net-rule`/`--net-default-egress`/`--secret`/`--on-secret-violation` for `msb create`. */
export function networkArgs(sandbox: DesiredSandbox): string[] {
  const args: string[] = [];
  for (const rule of sandbox.network?.rules ?? []) if (rule !== undefined) for (const token of ruleTokens(rule)) args.push('--net-rule', token);
  if (sandbox.network?.egress !== undefined) args.push('--net-default-egress', sandbox.network.egress);
  const credentials = credentialsOf(sandbox);
  for (const [name, spec] of Object.entries(credentials)) args.push('--secret', secretSpec(name, spec));
  if (Object.keys(credentials).length > 0) args.push('--on-secret-violation', onViolation(sandbox));
  return args;
}

/** `VAR@HOST[,HOST…]`: what `--secret` takes on create and modify. */
export function secretSpec(name: string, spec: Pick<CredentialSpec, 'hosts'>): string {
  return `${name}@${spec.hosts.join(',')}`;
}

/** The variables msb reads credential values from: to be set in msb's environment, never on its command line. */
export function credentialEnv(credentials: Record<string, CredentialSpec> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(credentials ?? {}).map(([name, spec]) => [name, spec.value]));
}

function ruleTokens(rule: NetworkRule): string[] {
  const kind = targetKind(rule.target);
  // msb wants IPv6 addresses and CIDRs in brackets, so their colons are not read as field separators.
  const target = (kind === 'ip' || kind === 'cidr') && rule.target.includes(':') && !rule.target.startsWith('[') ? `[${rule.target}]` : rule.target;
  const head = `${rule.action}@${target}`;
  if (rule.ports.length === 0) return [rule.protocol ? `${head}:${rule.protocol}` : head];
  const protocol = rule.protocol ?? 'tcp';
  return rule.ports.map((port) => `${head}:${protocol}:${port}`);
}
