/**
 * Adoption (`owctl import NAME…`): bringing a live sandbox that holds a declared name but carries no owctl labels
 * under the project. Pure: what would be labelled, what cannot be adopted and why, and the observed state as it
 * will be once adopted, which the ordinary planner then compares with the file.
 */
import type { DesiredState } from '../model/desired.ts';
import { LABEL_PROJECT, OWCTL_LABEL_PREFIX } from '../model/labels.ts';
import type { ObservedState } from '../model/observed.ts';

export interface Adoption {
  sandbox: string;
  /** Labels to add; only the project label, so every difference from the file is planned as a change from the file. */
  labels: Record<string, string>;
}

export interface AdoptionPlan {
  adopt: Adoption[];
  /** Already this project's: nothing to adopt. */
  managed: string[];
  /** Held by another owctl project: never adopted. */
  foreign: { sandbox: string; owner: string }[];
  /** Declared, but no live sandbox has the name: `owctl apply` creates it. */
  missing: string[];
  /** Not declared in the file: owctl would delete it right after adopting, so it is refused. */
  undeclared: string[];
  /** `observed` with the adoption labels applied. */
  observedAfter: ObservedState;
}

export function planAdoption(desired: DesiredState, observed: ObservedState, names: readonly string[]): AdoptionPlan {
  const result: AdoptionPlan = { adopt: [], managed: [], foreign: [], missing: [], undeclared: [], observedAfter: observed };
  const declared = new Set(desired.sandboxes.map((s) => s.name));
  const live = new Map(observed.sandboxes.map((s) => [s.name, s]));
  for (const name of [...new Set(names)].sort()) {
    const sandbox = live.get(name);
    const owner = sandbox?.labels[LABEL_PROJECT];
    if (!declared.has(name)) result.undeclared.push(name);
    else if (sandbox === undefined) result.missing.push(name);
    else if (owner === desired.project) result.managed.push(name);
    // Any owctl label means another project (or a damaged one) claims it: not ours to take.
    else if (owner !== undefined || Object.keys(sandbox.labels).some((key) => key.startsWith(OWCTL_LABEL_PREFIX))) result.foreign.push({ sandbox: name, owner: owner ?? '(unknown)' });
    else result.adopt.push({ sandbox: name, labels: { [LABEL_PROJECT]: desired.project } });
  }
  const labelled = new Map(result.adopt.map((a) => [a.sandbox, a.labels]));
  result.observedAfter = {
    ...observed,
    sandboxes: observed.sandboxes.map((s) => (labelled.has(s.name) ? { ...s, labels: { ...s.labels, ...labelled.get(s.name) } } : s)),
  };
  return result;
}
