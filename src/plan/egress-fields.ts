/**
 * Egress policy and credentials of a declared sandbox against what its engine reports (ObservedSandbox.egress):
 * the default action, the rules, and each credential's binding and value. How each change lands, and why, is the
 * engine's (`caps.egress.changes`). A credential's value is compared only through the digest recorded on the
 * sandbox; the policy and bindings through the engine's answer, or their digests when it gave none. Pure.
 */
import type { BackendCapabilities, EgressChangeKind } from '../model/capabilities.ts';
import { credentialsOf, type DesiredSandbox } from '../model/desired.ts';
import { credentialBindingDigest, credentialDigestKey, credentialValueDigest, declaredPolicy, networkDigest } from '../model/egress-digests.ts';
import { describeBinding, describeRules } from '../model/egress-observed.ts';
import type { ObservedSandbox } from '../model/observed.ts';
import { SENSITIVE, type FieldChange } from '../model/plan.ts';
import { UNREADABLE_CHANGED, type Comparison } from './fields.ts';

export function compareEgress(desired: DesiredSandbox, live: ObservedSandbox, caps: BackendCapabilities): Comparison {
  const egress = live.egress;
  const changes = caps.egress.changes;
  if (egress === undefined || changes === undefined) return { fields: [], unchanged: 0 };
  const fields: FieldChange[] = [];
  let unchanged = 0;
  // The file still says what owctl last applied (its digest), yet the sidecar differs: changed outside owctl.
  const policyDrift = live.digests?.network !== undefined && live.digests.network === networkDigest(desired);
  const field = (path: string, before: unknown, after: unknown, kind: EgressChangeKind, sensitive = false, drift = false) => {
    const { disposition, reason } = changes[kind];
    fields.push({ path, before, after, sensitive, disposition, origin: drift ? 'outside' : 'file', reason });
  };
  const credentials = credentialsOf(desired);
  const names = Object.keys(credentials);
  const policy = declaredPolicy(desired);
  // Credentials need a policy to ride on: without a declared one, the engine's default stands in (allow).
  const wantedDefault = policy.defaultAction ?? (names.length > 0 ? 'allow' : null);
  if (!egress.enforced) {
    if (wantedDefault !== null) field('network', '(no egress policy)', describePolicy(wantedDefault, policy.rules), 'first_policy');
  } else if (egress.read === undefined) {
    // The sidecar did not answer: the digest recorded at apply stands in.
    if (policy.defaultAction !== null && live.digests?.network !== networkDigest(desired)) field('network', UNREADABLE_CHANGED, describePolicy(policy.defaultAction, policy.rules), 'rules');
    else unchanged += 1;
  } else {
    const defaultAction = wantedDefault ?? 'allow';
    if (egress.read.defaultAction !== defaultAction) field('network.egress', egress.read.defaultAction, defaultAction, 'default_action', false, policyDrift);
    else unchanged += 1;
    const before = describeRules(egress.read.rules);
    const after = describeRules(policy.rules);
    if (before !== after) field('network.rules', before, after, 'rules', false, policyDrift);
    else unchanged += 1;
  }
  const listed = egress.read?.credentials;
  const recorded = Object.keys(live.digests ?? {}).filter((key) => key.startsWith('cv.')).map((key) => key.slice(3));
  const liveNames = listed !== undefined ? Object.keys(listed) : recorded;
  for (const name of [...new Set([...names, ...liveNames])].sort()) {
    const wanted = credentials[name];
    const path = `credentials.${name}`;
    if (wanted === undefined) {
      field(path, listed?.[name] ? describeBinding(listed[name]!) : UNREADABLE_CHANGED, null, 'credential_removed');
      continue;
    }
    const binding = describeBinding({ hosts: wanted.hosts, header: wanted.header });
    if (!liveNames.includes(name) || !egress.credentialProxy) {
      field(path, null, binding, 'credential_added');
      continue;
    }
    const have = listed?.[name];
    const bindingDiffers = have !== undefined ? describeBinding(have) !== binding : live.digests?.[credentialDigestKey('binding', name)] !== credentialBindingDigest(wanted.hosts, wanted.header);
    const bindingDrift = have !== undefined && live.digests?.[credentialDigestKey('binding', name)] === credentialBindingDigest(wanted.hosts, wanted.header);
    if (bindingDiffers) field(`${path}.hosts`, have ? describeBinding(have) : UNREADABLE_CHANGED, binding, 'credential_binding', false, bindingDrift);
    else unchanged += 1;
    const valueRecorded = live.digests?.[credentialDigestKey('value', name)];
    if (valueRecorded !== credentialValueDigest(name, wanted.value, live.digests?.salt ?? '')) field(`${path}.value`, SENSITIVE, SENSITIVE, 'credential_value', true);
    else unchanged += 1;
  }
  return { fields, unchanged };
}

function describePolicy(defaultAction: string, rules: ReadonlyArray<{ action: 'allow' | 'deny'; target: string }>): string {
  const list = describeRules(rules);
  return `egress ${defaultAction}${list === null ? '' : `; ${list}`}`;
}
