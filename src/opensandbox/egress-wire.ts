/** The egress sidecar API's shapes as owctl uses them (a subset of the egress spec's schemas). */
export interface WireEgressRule {
  action: 'allow' | 'deny';
  /** FQDN or `*.` wildcard domain: the sidecar supports no IP or CIDR. */
  target: string;
}

export interface WireNetworkPolicy {
  defaultAction?: 'allow' | 'deny';
  egress?: WireEgressRule[];
}

export interface WirePolicyStatus {
  status?: string;
  mode?: string;
  enforcementMode?: string;
  reason?: string;
  policy?: WireNetworkPolicy;
}

export interface WireCredential {
  name: string;
  /** Write-only: sent to the vault, never answered. */
  source: { type: 'inline'; value: string };
}

export interface WireMatch {
  schemes?: Array<'https' | 'http'>;
  ports?: number[];
  hosts: string[];
  methods?: string[];
  paths?: string[];
}

export type WireAuth =
  | { type: 'bearer'; credential: string }
  | { type: 'basic'; credential: string }
  | { type: 'apiKey'; name: string; credential: string }
  | { type: 'customHeaders'; headers: Array<{ name: string; credential: string }> };

export interface WireBinding {
  name: string;
  match: WireMatch;
  auth: WireAuth;
}

export interface WireVaultCreate {
  credentials: WireCredential[];
  bindings: WireBinding[];
}

interface MutationSet<T> {
  add?: T[];
  replace?: T[];
  delete?: string[];
}

export interface WireVaultMutation {
  expectedRevision?: number;
  credentials?: MutationSet<WireCredential>;
  bindings?: MutationSet<WireBinding>;
}

/** Sanitized: names, revisions, matches and auth types; never a value. */
export interface WireVaultState {
  revision: number;
  credentials: Array<{ name: string; sourceType: string; revision: number }>;
  bindings: Array<{ name: string; revision: number; match?: WireMatch; auth?: { type: string; name?: string } }>;
}
