/**
 * Egress policy and credentials as an engine reports them back, in the model's terms (never an engine's wire
 * shapes). An engine that reads them (OpenSandbox's egress sidecar and Credential Vault) sets
 * `ObservedSandbox.egress`; the planner then compares them field by field. Never holds a credential value.
 */
import type { EgressAction } from './desired.ts';

export interface ObservedEgressRule {
  action: EgressAction;
  target: string;
}

export interface ObservedCredential {
  /** Hosts the credential is injected for, as the engine lists its binding. */
  hosts: string[];
  /** The header that carries it; undefined = bearer Authorization. */
  header?: string;
}

export interface ObservedEgress {
  /** The sandbox enforces an egress policy (it was made with one); false: the engine's default, no policy to change. */
  enforced: boolean;
  /** The sandbox can hold credentials (its engine injects them); false: adding one needs a new sandbox. */
  credentialProxy: boolean;
  /**
   * What the engine answered, or undefined when it could not be read (then the digests recorded on the sandbox
   * stand in). `defaultAction` and `rules` as enforced; credentials by guest variable.
   */
  read?: { defaultAction: EgressAction; rules: ObservedEgressRule[]; credentials: Record<string, ObservedCredential> };
}

/** One line per rule list, as plan shows it: `allow api.example.com, deny *.example.org`. */
export function describeRules(rules: ReadonlyArray<ObservedEgressRule>): string | null {
  return rules.length === 0 ? null : rules.map((r) => `${r.action} ${r.target}`).join(', ');
}

/** A credential's binding as plan shows it: its hosts and the header that carries it (header names are case-insensitive). */
export function describeBinding(credential: ObservedCredential): string {
  return `${credential.hosts.join(', ')} (${credential.header === undefined ? 'Authorization: Bearer' : credential.header.toLowerCase()})`;
}
