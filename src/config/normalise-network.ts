/**
 * The file's `network` and `credentials` of one merged, schema-valid sandbox → the model's NetworkSpec and
 * CredentialSpec. A rule must name exactly one of allow and deny: that is reported here, where both are still seen.
 */
import type { CredentialSpec, NetworkRule, NetworkSpec, OnViolation } from '../model/desired.ts';
import type { Issue, Segment } from './issue.ts';

type Scalar = string | number | boolean;

export interface RawRule {
  allow?: string;
  deny?: string;
  ports?: number[];
  protocol?: 'tcp' | 'udp';
}

export interface RawNetwork {
  egress?: 'allow' | 'deny';
  rules?: RawRule[];
  on_violation?: OnViolation;
}

export interface RawCredential {
  value?: Scalar;
  hosts?: string[];
  header?: string;
}

/** `at` places a rule's problem: `at('network', 'rules', 0)`. */
export function normaliseNetwork(raw: RawNetwork, at: (...rest: Segment[]) => Segment[]): { network: NetworkSpec; issues: Issue[] } {
  const network: NetworkSpec = {};
  const issues: Issue[] = [];
  if (raw.egress !== undefined) network.egress = raw.egress;
  // map() keeps the holes of pruned rules, so indexes in messages stay those of the file.
  if (raw.rules !== undefined) network.rules = raw.rules.map(normaliseRule);
  raw.rules?.forEach((rule, index) => {
    const both = rule.allow !== undefined && rule.deny !== undefined;
    if (!both && (rule.allow !== undefined || rule.deny !== undefined)) return;
    issues.push({
      path: at('network', 'rules', index),
      message: both ? 'a rule names both allow and deny' : 'a rule names neither allow nor deny',
      hint: both ? 'split it into two rules, in the order they should be tried' : 'write { allow: TARGET } or { deny: TARGET }, e.g. { allow: api.anthropic.com, ports: [443] }',
    });
  });
  if (raw.on_violation !== undefined) network.onViolation = raw.on_violation;
  return { network, issues };
}

function normaliseRule(raw: RawRule): NetworkRule {
  const rule: NetworkRule = {
    action: raw.allow === undefined && raw.deny !== undefined ? 'deny' : 'allow',
    target: raw.allow ?? raw.deny ?? '',
    ports: [...new Set(raw.ports ?? [])].sort((a, b) => a - b),
  };
  if (raw.protocol !== undefined) rule.protocol = raw.protocol;
  return rule;
}

export function normaliseCredentials(raw: Record<string, RawCredential> | undefined): Record<string, CredentialSpec> {
  const entries = Object.entries(raw ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(
    entries.map(([key, credential]): [string, CredentialSpec] => {
      const spec: CredentialSpec = { value: credential.value === undefined ? '' : String(credential.value), hosts: [...(credential.hosts ?? [])] };
      if (credential.header !== undefined) spec.header = credential.header;
      return [key, spec];
    }),
  );
}
