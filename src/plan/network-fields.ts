/**
 * The file's `network` and `credentials` against what the engine recorded (never a value: a changed credential value
 * is found through the salted digest owctl recorded when it last started the sandbox). Pure. How each change lands
 * comes from the engine's capabilities: on msb, rules and on_violation need a new sandbox, credentials a restart.
 */
import type { BackendCapabilities } from '../model/capabilities.ts';
import { parseCredentialLabel, sameCredential } from '../model/credentials.ts';
import { credentialsOf, onViolation, type DesiredSandbox } from '../model/desired.ts';
import { LABEL_CREDENTIALS } from '../model/labels.ts';
import { canonicalRules, effectivePolicy } from '../model/network.ts';
import type { ObservedSandbox } from '../model/observed.ts';
import type { FieldChange } from '../model/plan.ts';
import { SENSITIVE } from '../model/plan.ts';

export interface NetworkComparison {
  fields: FieldChange[];
  unchanged: number;
}

/** Shown for an empty rule list. */
const NO_RULES = '(none)';

export function compareNetwork(desired: DesiredSandbox, live: ObservedSandbox, caps: BackendCapabilities): NetworkComparison {
  const out: NetworkComparison = { fields: [], unchanged: 0 };
  const recorded = live.network;
  if (recorded === undefined || caps.unreadable.includes('network')) return out;
  const compare = (path: string, before: unknown, after: unknown, disposition = caps.inPlace.network, sensitive = false): void => {
    if (before === after && !sensitive) {
      out.unchanged += 1;
      return;
    }
    out.fields.push({ path, before, after, sensitive, disposition, origin: 'file' });
  };
  const implicit = caps.egress.implicit;
  const declared = desired.network?.egress !== undefined || desired.network?.rules !== undefined;
  // Nothing declared, nothing recorded: the runtime's default, as on any sandbox made before these keys existed.
  if (declared || recorded.policy !== null) {
    const wanted = effectivePolicy(desired, implicit);
    const have = recorded.policy ?? { egress: implicit.egress, rules: canonicalRules(implicit.rules) };
    compare('network.egress', have.egress, wanted.egress);
    compare('network.rules', rulesText(have.rules), rulesText(canonicalRules(wanted.rules)));
  }
  const credentials = credentialsOf(desired);
  if (Object.keys(credentials).length > 0) {
    compare('network.on_violation', recorded.onViolation, onViolation(desired));
    // Without interception a credential added in place would never be swapped in: only a new sandbox turns it on.
    compare('network.tls_interception', recorded.interceptsTls ? 'on' : 'off', 'on');
  }
  if (caps.unreadable.includes('credentials')) return out;
  const record = parseCredentialLabel(live.labels[LABEL_CREDENTIALS]);
  const names = [...new Set([...Object.keys(credentials), ...Object.keys(recorded.credentials)])].sort();
  for (const name of names) {
    const want = credentials[name];
    const held = recorded.credentials[name];
    const disposition = caps.inPlace.credentials;
    if (want === undefined || held === undefined) {
      compare(`credentials.${name}`, held ? hostsText(held.hosts) : null, want ? hostsText(want.hosts) : null, disposition);
      continue;
    }
    compare(`credentials.${name}.hosts`, hostsText(held.hosts), hostsText(want.hosts), disposition);
    if (sameCredential(record, name, want.value)) out.unchanged += 1;
    else compare(`credentials.${name}.value`, SENSITIVE, SENSITIVE, disposition, true);
  }
  return out;
}

function rulesText(rules: readonly string[]): string {
  return rules.length === 0 ? NO_RULES : rules.join(', ');
}

/** Hosts compared as a set, case-insensitively; shown sorted. */
function hostsText(hosts: readonly string[]): string {
  return `hosts ${[...new Set(hosts.map((host) => host.toLowerCase()))].sort().join(', ')} (value held on the host)`;
}

/**
 * The lines a new sandbox's plan shows for its egress and credentials. A sandbox without a declared policy says
 * which default the runtime applies, so no reader takes "no rules" for "no egress" (or for "no limits").
 */
export function networkCreationFields(desired: DesiredSandbox, caps: BackendCapabilities): FieldChange[] {
  const added = (path: string, after: unknown): FieldChange => ({ path, before: null, after, sensitive: false, disposition: 'replace', origin: 'file' });
  const fields: FieldChange[] = [];
  const credentials = credentialsOf(desired);
  const declared = desired.network?.egress !== undefined || desired.network?.rules !== undefined;
  if (!declared) fields.push(added('network', `(runtime default: ${caps.egress.defaultPolicy})`));
  else if (declared) {
    const policy = effectivePolicy(desired, caps.egress.implicit);
    fields.push(added('network.egress', policy.egress), added('network.rules', rulesText(canonicalRules(policy.rules))));
  }
  // Only where the runtime honours it (OpenSandbox's sidecar has no such setting: it injects for bound hosts only).
  if (Object.keys(credentials).length > 0 && caps.egress.onViolation) fields.push(added('network.on_violation', onViolation(desired)));
  for (const name of Object.keys(credentials)) fields.push(added(`credentials.${name}`, hostsText(credentials[name]!.hosts)));
  return fields;
}
