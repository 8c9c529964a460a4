/**
 * The file's `network` and `credentials` in OpenSandbox's terms. The create request carries the policy and
 * `credentialProxy.enabled`, and the guest variable of each credential a fake value (never the value); the value
 * goes only into the Credential Vault, bound to the credential's hosts over https:443 with the header it names
 * (absent: bearer Authorization). The sidecar binds a host only when an explicit allow rule covers it, so each
 * credential host no allow rule names gets one after the declared rules (where it changes nothing the rules decide:
 * first match wins, and a credential whose hosts the rules block is refused by `owctl validate`).
 */
import { credentialsOf, type CredentialSpec, type DesiredSandbox } from '../model/desired.ts';
import { declaredPolicy } from '../model/egress-digests.ts';
import { OPENSANDBOX_CAPABILITIES } from './capabilities.ts';
import type { WireAuth, WireBinding, WireEgressRule, WireNetworkPolicy, WireVaultCreate, WireVaultMutation, WireVaultState } from './egress-wire.ts';

/** What the guest variable of a credential holds: a fixed, non-secret stand-in the sidecar replaces on the wire. */
export function fakeValue(name: string): string {
  return `${OPENSANDBOX_CAPABILITIES.egress.placeholderPrefix}${name}`;
}

export function fakeEnv(sandbox: DesiredSandbox): Record<string, string> {
  return Object.fromEntries(Object.keys(credentialsOf(sandbox)).map((name) => [name, fakeValue(name)]));
}

function covers(target: string, host: string): boolean {
  const t = target.toLowerCase();
  const h = host.toLowerCase();
  return t === h || (t.startsWith('*.') && h.endsWith(t.slice(1)) && h !== t.slice(2) && !h.startsWith('*.'));
}

/** The rules the sidecar enforces for this file: the declared ones, then an allow for each credential host no allow rule names. */
export function effectiveRules(sandbox: DesiredSandbox): WireEgressRule[] {
  const rules: WireEgressRule[] = declaredPolicy(sandbox).rules;
  const hosts = Object.values(credentialsOf(sandbox)).flatMap((c) => c.hosts);
  const added: WireEgressRule[] = [];
  for (const host of hosts) {
    if ([...rules, ...added].some((r) => r.action === 'allow' && (r.target.toLowerCase() === host.toLowerCase() || covers(r.target, host)))) continue;
    added.push({ action: 'allow', target: host });
  }
  return [...rules, ...added];
}

/** The create request's networkPolicy: absent when the file declares neither a policy nor a credential. */
export function networkPolicyOf(sandbox: DesiredSandbox): WireNetworkPolicy | undefined {
  const declared = declaredPolicy(sandbox);
  const credentials = Object.keys(credentialsOf(sandbox)).length > 0;
  if (declared.defaultAction === null && !credentials) return undefined;
  // Credentials without a declared policy: OpenSandbox's default (allow) with the hosts the vault needs.
  return { defaultAction: declared.defaultAction ?? 'allow', egress: effectiveRules(sandbox) };
}

/** `credentialProxy.enabled` when the file declares a credential (it needs the policy, which then exists). */
export function credentialProxyOf(sandbox: DesiredSandbox): { enabled: boolean } | undefined {
  return Object.keys(credentialsOf(sandbox)).length > 0 ? { enabled: true } : undefined;
}

export function authOf(name: string, credential: CredentialSpec): WireAuth {
  const header = credential.header;
  if (header === undefined || header.toLowerCase() === 'authorization') return { type: 'bearer', credential: name };
  return { type: 'apiKey', name: header, credential: name };
}

export function bindingOf(name: string, credential: CredentialSpec): WireBinding {
  return { name, match: { schemes: ['https'], ports: [443], hosts: [...credential.hosts] }, auth: authOf(name, credential) };
}

export function vaultCreate(sandbox: DesiredSandbox): WireVaultCreate {
  const entries = Object.entries(credentialsOf(sandbox));
  return {
    credentials: entries.map(([name, c]) => ({ name, source: { type: 'inline', value: c.value } })),
    bindings: entries.map(([name, c]) => bindingOf(name, c)),
  };
}

/**
 * One atomic PATCH from the vault's state to the file's: every declared credential's value and binding written
 * again (a value cannot be read to compare), new ones added, the others deleted; guarded by the revision read.
 */
export function vaultMutation(sandbox: DesiredSandbox, state: WireVaultState): WireVaultMutation {
  const wanted = credentialsOf(sandbox);
  const have = new Set(state.credentials.map((c) => c.name));
  const bound = new Set(state.bindings.map((b) => b.name));
  const entries = Object.entries(wanted);
  const credential = ([name, c]: [string, CredentialSpec]) => ({ name, source: { type: 'inline' as const, value: c.value } });
  return {
    expectedRevision: state.revision,
    credentials: {
      add: entries.filter(([name]) => !have.has(name)).map(credential),
      replace: entries.filter(([name]) => have.has(name)).map(credential),
      delete: [...have].filter((name) => !(name in wanted)).sort(),
    },
    bindings: {
      add: entries.filter(([name]) => !bound.has(name)).map(([name, c]) => bindingOf(name, c)),
      replace: entries.filter(([name]) => bound.has(name)).map(([name, c]) => bindingOf(name, c)),
      delete: [...bound].filter((name) => !(name in wanted)).sort(),
    },
  };
}

/** From the rules in force to the file's: PATCH the whole list (it goes first, in order), then DELETE the rest. */
export function policySync(sandbox: DesiredSandbox, live: ReadonlyArray<WireEgressRule>): { patch: WireEgressRule[]; remove: string[] } {
  const wanted = effectiveRules(sandbox);
  const targets = new Set(wanted.map((r) => r.target));
  const same = live.length === wanted.length && live.every((r, i) => r.action === wanted[i]!.action && r.target === wanted[i]!.target);
  if (same) return { patch: [], remove: [] };
  return { patch: wanted, remove: [...new Set(live.map((r) => r.target).filter((t) => !targets.has(t)))] };
}
