/**
 * The file's `network` and `credentials` against what the engine reports (ObservedSandbox.egress), on every
 * runtime: the policy (default action and rules, in the model's canonical text), on_violation, the switch that swaps
 * credentials in, and each credential's binding and value. A value is never read: it is compared through the digest
 * owctl recorded; so are the policy and bindings when the engine did not answer. How each change lands, and why, is
 * the engine's (`caps.egress.changes`). Pure.
 */
import type { BackendCapabilities, EgressChangeKind, EgressCapabilities } from '../model/capabilities.ts';
import { credentialsOf, declaresEgressPolicy, onViolation, type DesiredSandbox } from '../model/desired.ts';
import { networkDigest } from '../model/egress-digests.ts';
import { recordedBindingIs, recordedCredentialNames, recordedValueIs, type ObservedCredential } from '../model/egress-observed.ts';
import { canonicalRules, effectivePolicy } from '../model/network.ts';
import type { ObservedSandbox } from '../model/observed.ts';
import { SENSITIVE, type FieldChange } from '../model/plan.ts';
import { UNREADABLE_CHANGED, type Comparison } from './fields.ts';

/** Shown for an empty rule list. */
const NO_RULES = '(none)';

export function compareEgress(desired: DesiredSandbox, live: ObservedSandbox, caps: BackendCapabilities): Comparison {
  const observed = live.egress;
  const out: Comparison = { fields: [], unchanged: 0 };
  if (observed === undefined || caps.unreadable.includes('network')) return out;
  const field = (path: string, before: unknown, after: unknown, kind: EgressChangeKind, drift = false, sensitive = false): void => {
    const { disposition, reason } = caps.egress.changes[kind];
    out.fields.push({ path, before, after, sensitive, disposition, origin: drift ? 'outside' : 'file', ...(reason === undefined ? {} : { reason }) });
  };
  const compare = (path: string, before: unknown, after: unknown, kind: EgressChangeKind, drift = false): void => {
    if (before === after) out.unchanged += 1;
    else field(path, before, after, kind, drift);
  };
  const credentials = credentialsOf(desired);
  const names = Object.keys(credentials);
  const record = observed.record;
  const declared = declaresEgressPolicy(desired);
  const wanted = wantedPolicy(desired, caps.egress);
  if (observed.policy === undefined) {
    // The engine did not answer: the digest recorded at apply stands in.
    if (declared && record?.policy !== networkDigest(desired)) field('network', UNREADABLE_CHANGED, describePolicy(wanted), 'rules');
    else out.unchanged += 1;
  } else if (observed.policy === null) {
    // No policy in force, the runtime's default: compared only when the file asks for one.
    if (declared || (names.length > 0 && caps.egress.credentialsNeedPolicy)) {
      const none = canonical(caps.egress.undeclared);
      compare('network.egress', none.egress, wanted.egress, 'first_policy');
      compare('network.rules', rulesText(none.rules), rulesText(wanted.rules), 'first_policy');
    }
  } else {
    // The file still says what owctl last applied (its digest), yet the engine differs: changed outside owctl.
    const drift = record?.policy !== undefined && record.policy === networkDigest(desired);
    compare('network.egress', observed.policy.egress, wanted.egress, 'default_action', drift);
    compare('network.rules', rulesText(observed.policy.rules), rulesText(wanted.rules), 'rules', drift);
  }
  if (names.length > 0) {
    if (caps.egress.onViolation) compare('network.on_violation', observed.onViolation, onViolation(desired), 'on_violation');
    // Without it a credential added in place would never be swapped in: only a new sandbox turns it on.
    compare(caps.egress.injectionField, observed.injects ? 'on' : 'off', 'on', 'injection');
  }
  if (caps.unreadable.includes('credentials')) return out;
  const listed = observed.credentials;
  const liveNames = listed !== undefined ? Object.keys(listed) : recordedCredentialNames(record);
  const binding = (credential: ObservedCredential) => bindingText(credential, caps.egress);
  for (const name of [...new Set([...names, ...liveNames])].sort()) {
    const want = credentials[name];
    const path = `credentials.${name}`;
    const have = listed?.[name];
    if (want === undefined) {
      field(path, have !== undefined ? binding(have) : UNREADABLE_CHANGED, null, 'credential_removed');
      continue;
    }
    if (!liveNames.includes(name)) {
      field(path, null, binding(want), 'credential_added');
      continue;
    }
    // Listed: compared as the engine lists it (changed outside owctl when the record is still the file's); else the record.
    const recorded = recordedBindingIs(record, name, want);
    if (have !== undefined) compare(`${path}.hosts`, binding(have), binding(want), 'credential_binding', recorded);
    else if (!recorded) field(`${path}.hosts`, UNREADABLE_CHANGED, binding(want), 'credential_binding');
    else out.unchanged += 1;
    if (recordedValueIs(record, name, want.value)) out.unchanged += 1;
    else field(`${path}.value`, SENSITIVE, SENSITIVE, 'credential_value', false, true);
  }
  return out;
}

/** The policy the file asks for, rules canonical: the declared one completed by the runtime, else the runtime's default. */
function wantedPolicy(desired: DesiredSandbox, egress: EgressCapabilities): { egress: string; rules: string[] } {
  return canonical(declaresEgressPolicy(desired) ? effectivePolicy(desired, egress.implicit) : egress.undeclared);
}

function canonical(policy: ReturnType<typeof effectivePolicy>): { egress: string; rules: string[] } {
  return { egress: policy.egress, rules: canonicalRules(policy.rules) };
}

function rulesText(rules: readonly string[]): string {
  return rules.length === 0 ? NO_RULES : rules.join(', ');
}

function describePolicy(policy: { egress: string; rules: string[] }): string {
  return `egress ${policy.egress}${policy.rules.length === 0 ? '' : `; ${policy.rules.join(', ')}`}`;
}

/**
 * A credential's binding as plan shows it: its hosts, a set compared case-insensitively and shown sorted, and how
 * the value travels (the header it is sent in where the runtime uses one; a header named Authorization is bearer).
 */
export function bindingText(credential: ObservedCredential, egress: EgressCapabilities): string {
  const hosts = [...new Set(credential.hosts.map((host) => host.toLowerCase()))].sort().join(', ');
  const header = credential.header?.toLowerCase();
  const carried = egress.credentialHeader === 'ignored' ? 'value held on the host' : header === undefined || header === 'authorization' ? 'Authorization: Bearer' : header;
  return `hosts ${hosts} (${carried})`;
}

/**
 * The lines a new sandbox's plan shows for its egress and credentials. A sandbox without a declared policy says
 * which default the runtime applies, so no reader takes "no rules" for "no egress" (or for "no limits").
 */
export function egressCreationFields(desired: DesiredSandbox, caps: BackendCapabilities): FieldChange[] {
  const added = (path: string, after: unknown): FieldChange => ({ path, before: null, after, sensitive: false, disposition: 'replace', origin: 'file' });
  const fields: FieldChange[] = [];
  const credentials = credentialsOf(desired);
  if (!declaresEgressPolicy(desired)) fields.push(added('network', `(runtime default: ${caps.egress.defaultPolicy})`));
  else {
    const policy = wantedPolicy(desired, caps.egress);
    fields.push(added('network.egress', policy.egress), added('network.rules', rulesText(policy.rules)));
  }
  // Only where the runtime honours it (OpenSandbox's sidecar has no such setting: it injects for bound hosts only).
  if (Object.keys(credentials).length > 0 && caps.egress.onViolation) fields.push(added('network.on_violation', onViolation(desired)));
  for (const name of Object.keys(credentials)) fields.push(added(`credentials.${name}`, bindingText(credentials[name]!, caps.egress)));
  return fields;
}
