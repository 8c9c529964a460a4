/**
 * Fingerprints for saved plans: a digest of the desired state and of each observed sandbox, so `apply PLANFILE`
 * can refuse when anything moved since the plan was made (Nomad's check-index model, stronger than a serial).
 * Digests only: no value, secret or not, can be read back from them.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../model/applied.ts';
import type { DesiredState } from '../model/desired.ts';
import type { ObservedState } from '../model/observed.ts';

export interface Fingerprints {
  desired: string;
  /** Every observed sandbox by name (absent names are part of the fingerprint too: the key set). */
  observed: Record<string, string>;
}

const digest = (value: unknown) => `sha256:${createHash('sha256').update(canonicalJson(value)).digest('hex')}`;

/**
 * With `targets`, only what a targeted plan touches: those sandboxes' desired and observed state. A plan made with
 * `--target a` then goes stale when `a` moves, not when an untargeted sandbox drifts.
 */
export function fingerprints(desired: DesiredState, observed: ObservedState, targets: readonly string[] = []): Fingerprints {
  const touched = (name: string) => targets.length === 0 || targets.includes(name);
  return {
    // The engine counts (a plan for one server is stale against another); its API key never enters a digest.
    desired: digest(
      desired.backend?.type === 'opensandbox'
        ? { project: desired.project, sandboxes: desired.sandboxes.filter((s) => touched(s.name)), backend: desired.backend.url }
        : { project: desired.project, sandboxes: desired.sandboxes.filter((s) => touched(s.name)) },
    ),
    observed: Object.fromEntries(observed.sandboxes.filter((s) => touched(s.name)).map((sandbox) => [sandbox.name, digest(sandbox)])),
  };
}

/** Names whose fingerprint differs between two snapshots (including sandboxes that appeared or vanished). */
export function movedSandboxes(saved: Fingerprints, now: Fingerprints): string[] {
  const names = new Set([...Object.keys(saved.observed), ...Object.keys(now.observed)]);
  return [...names].filter((name) => saved.observed[name] !== now.observed[name]).sort();
}
