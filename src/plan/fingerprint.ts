/**
 * Fingerprints for saved plans: a digest of the desired state and of each observed sandbox, so `apply PLANFILE`
 * can refuse when anything moved since the plan was made (Nomad's check-index model, stronger than a serial).
 * Secret values (tokens, sensitive env, live env holding them) are left out before hashing: a plan file sits next
 * to the committed YAML, and a digest over a secret would let anyone test guesses of it. A secret that changed
 * since the plan is caught by comparing plans instead (apply re-plans and refuses a different plan).
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../model/applied.ts';
import type { DesiredSandbox, DesiredState } from '../model/desired.ts';
import { guestEnv, secretEnvKeys } from '../model/desired.ts';
import { LABEL_APPLIED } from '../model/labels.ts';
import type { ObservedSandbox, ObservedState } from '../model/observed.ts';
import { SENSITIVE } from '../model/plan.ts';
import { parseAppliedRecord } from '../model/applied.ts';

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
  const declared = new Map(desired.sandboxes.map((sandbox) => [sandbox.name, sandbox]));
  const secrets = new Set(desired.sandboxes.flatMap(secretValues));
  return {
    // The engine counts (a plan for one server is stale against another); its API key never enters a digest.
    desired: digest({
      project: desired.project,
      sandboxes: desired.sandboxes.filter((s) => touched(s.name)).map(withoutSecrets),
      ...(desired.backend?.type === 'opensandbox' ? { backend: desired.backend.url } : {}),
    }),
    observed: Object.fromEntries(
      observed.sandboxes.filter((s) => touched(s.name)).map((sandbox) => [sandbox.name, digest(liveWithoutSecrets(sandbox, declared.get(sandbox.name), secrets))]),
    ),
  };
}

function secretValues(sandbox: DesiredSandbox): string[] {
  const env = guestEnv(sandbox);
  return [...secretEnvKeys(sandbox)].map((key) => env[key] ?? '').filter((value) => value !== '');
}

function withoutSecrets(sandbox: DesiredSandbox): DesiredSandbox {
  const hidden = new Set(sandbox.sensitiveEnv);
  const env = Object.fromEntries(Object.entries(sandbox.env).map(([key, value]) => [key, hidden.has(key) ? SENSITIVE : value]));
  return { ...sandbox, tokens: { ...sandbox.tokens, client: SENSITIVE, host: SENSITIVE }, env };
}

/** Live env under a secret key (as applied, or as declared now) or holding a known secret value: left out. */
function liveWithoutSecrets(live: ObservedSandbox, declared: DesiredSandbox | undefined, secrets: ReadonlySet<string>): ObservedSandbox {
  const keys = new Set([...(parseAppliedRecord(live.labels[LABEL_APPLIED])?.secret_env ?? []), ...(declared ? secretEnvKeys(declared) : [])]);
  const env = Object.fromEntries(Object.entries(live.env).map(([key, value]) => [key, keys.has(key) || secrets.has(value) ? SENSITIVE : value]));
  // The boot time is derived from the uptime at the moment of asking and moves by milliseconds between reads: the
  // token list is what counts (a plan that revokes differently is caught by comparing plans).
  const access = live.access === undefined ? {} : { access: { tokens: live.access.tokens } };
  return { ...live, env, ...access } as ObservedSandbox;
}

/** Names whose fingerprint differs between two snapshots (including sandboxes that appeared or vanished). */
export function movedSandboxes(saved: Fingerprints, now: Fingerprints): string[] {
  const names = new Set([...Object.keys(saved.observed), ...Object.keys(now.observed)]);
  return [...names].filter((name) => saved.observed[name] !== now.observed[name]).sort();
}
