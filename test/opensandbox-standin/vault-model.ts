/**
 * The Credential Vault's state and rules as the upstream egress sidecar keeps them (tests only): one revision for the
 * whole vault (a binding's revision is the vault's), each credential the revision that last wrote it; a mutation
 * applies delete, then replace, then add, and fails whole; a name may appear in one operation only.
 */
import { isIP } from 'node:net';
import type { Policy } from './egress-sidecar.ts';

export interface Credential {
  name: string;
  source: { type: 'inline'; value: string };
}
export interface Binding {
  name: string;
  match: { schemes?: string[]; ports?: number[]; hosts: string[]; methods?: string[]; paths?: string[] };
  auth: { type: string; credential?: string; name?: string; headers?: Array<{ name: string; credential: string }> };
}
export interface Vault {
  revision: number;
  credentials: Map<string, { name: string; value: string; revision: number }>;
  bindings: Map<string, Binding>;
}
interface Set<T> {
  add?: T[];
  replace?: T[];
  delete?: string[];
}
export interface Mutation {
  expectedRevision?: number;
  credentials?: Set<Credential>;
  bindings?: Set<Binding>;
}

const INTERCEPTED_PORTS = [80, 443];

/** FQDN or `*.` wildcard domain; IP addresses and CIDRs are not supported by the egress MVP. */
export function validTarget(target: string): boolean {
  const host = target.startsWith('*.') ? target.slice(2) : target;
  if (host === '' || host.includes('*') || host.includes('/') || isIP(host) !== 0) return false;
  return /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*\.?$/.test(host);
}

function apply<T extends { name: string }>(into: Map<string, unknown>, set: Set<T> | undefined, what: string, make: (item: T) => unknown): string | undefined {
  if (set === undefined) return undefined;
  const mentioned = new globalThis.Set<string>();
  const once = (name: string) => {
    if (mentioned.has(name)) return `${what} "${name}" mentioned by multiple operations`;
    mentioned.add(name);
    return undefined;
  };
  for (const name of set.delete ?? []) {
    const problem = once(name) ?? (into.has(name) ? undefined : `${what} "${name}" does not exist`);
    if (problem) return problem;
    into.delete(name);
  }
  for (const item of set.replace ?? []) {
    const problem = once(item.name) ?? (into.has(item.name) ? undefined : `${what} "${item.name}" does not exist`);
    if (problem) return problem;
    into.set(item.name, make(item));
  }
  for (const item of set.add ?? []) {
    if (typeof item?.name !== 'string' || item.name.trim() === '') return `${what} name cannot be blank`;
    const problem = once(item.name) ?? (into.has(item.name) ? `${what} "${item.name}" already exists` : undefined);
    if (problem) return problem;
    into.set(item.name, make(item));
  }
  return undefined;
}

/** The vault after a mutation, or why the sidecar refuses it (400). */
export function mutate(vault: Vault, mutation: Mutation): Vault | string {
  const revision = vault.revision + 1;
  const credentials = new Map(vault.credentials);
  const bindings = new Map(vault.bindings);
  for (const c of [...(mutation.credentials?.add ?? []), ...(mutation.credentials?.replace ?? [])]) {
    if (c?.source?.type !== 'inline' || typeof c.source.value !== 'string' || c.source.value === '') return `credential "${c?.name}" inline value cannot be empty`;
  }
  const problem =
    apply(credentials as Map<string, unknown>, mutation.credentials, 'credential', (c) => ({ name: c.name, value: c.source.value, revision })) ??
    apply(bindings as Map<string, unknown>, mutation.bindings, 'binding', (b) => b);
  return problem ?? { revision, credentials, bindings };
}

/** Bindings must name known credentials, intercepted ports only, and hosts an explicit allow rule covers. */
export function bindingProblem(vault: Vault, policy: Policy): string | undefined {
  const allows = (policy.egress ?? []).filter((r) => r.action === 'allow').map((r) => r.target.toLowerCase());
  if (vault.bindings.size > 0 && allows.length === 0) return 'credential bindings require explicit networkPolicy.egress allow rules';
  for (const b of vault.bindings.values()) {
    const refs = b.auth.type === 'customHeaders' ? (b.auth.headers ?? []).map((h) => h.credential) : [b.auth.credential ?? ''];
    const unknown = refs.find((name) => !vault.credentials.has(name));
    if (unknown !== undefined) return `binding "${b.name}" references unknown credential "${unknown}"`;
    const port = (b.match.ports ?? [443]).find((p) => !INTERCEPTED_PORTS.includes(p));
    if (port !== undefined) return `binding "${b.name}" port ${port} is not a configured transparent intercept port`;
    for (const host of b.match.hosts) {
      const h = host.toLowerCase();
      const covered = allows.some((t) => t === h || (t.startsWith('*.') && h.endsWith(t.slice(1)) && h !== t.slice(2)));
      if (!covered) return `binding "${b.name}" host "${host}" is not covered by an explicit allow egress rule`;
    }
  }
  return undefined;
}

export function canonicalHeader(name: string): string {
  return name.toLowerCase().replace(/(^|-)([a-z])/g, (_, dash: string, letter: string) => dash + letter.toUpperCase());
}

/** What every vault answer carries: names, types, revisions, match and auth type; never a value. */
export function sanitized(vault: Vault) {
  const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  return {
    revision: vault.revision,
    credentials: [...vault.credentials.values()].map((c) => ({ name: c.name, sourceType: 'inline', revision: c.revision })).sort(byName),
    bindings: [...vault.bindings.values()]
      .map((b) => ({
        name: b.name,
        revision: vault.revision,
        match: { schemes: b.match.schemes ?? ['https'], ports: b.match.ports ?? [443], hosts: b.match.hosts, methods: b.match.methods ?? ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'], paths: b.match.paths ?? ['/*'] },
        // The sidecar stores header names canonical, as Go's http.CanonicalHeaderKey writes them (x-api-key → X-Api-Key).
        auth: { type: b.auth.type, ...(b.auth.type === 'apiKey' && b.auth.name ? { name: canonicalHeader(b.auth.name) } : {}) },
      }))
      .sort(byName),
  };
}
