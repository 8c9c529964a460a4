/**
 * A saved plan (`owctl plan -o FILE`, then `owctl apply FILE`): the plan document plus fingerprints of the file and
 * of every observed sandbox. It holds no secret values (the plan never does; fingerprints are digests).
 */
import type { Plan } from '../model/plan.ts';
import type { PreflightProblem } from '../model/preflight.ts';
import type { Fingerprints } from './fingerprint.ts';

export const SAVED_PLAN_KIND = 'owctl-saved-plan';
/**
 * 1.1: fingerprints cover only the targeted sandboxes when `targets` is not empty (1.0: always all of them).
 * 1.2: `preflight`, what the plan's preflight found, so `show` says it again.
 */
export const SAVED_PLAN_VERSION = '1.2';

export interface SavedPlan {
  format_version: string;
  kind: typeof SAVED_PLAN_KIND;
  /** Absolute path of the YAML file the plan was made from. */
  file: string;
  targets: string[];
  /** `--replace` names the plan was made with (absent in plans saved before the flag existed). */
  replace?: string[];
  /** Made with --wake: applying it plans the same way (asleep sandboxes are started). */
  wake?: boolean;
  /** `--rotate` requests the plan was made with: applying it rotates the same tokens. */
  rotate?: string[];
  plan: Plan;
  fingerprints: Fingerprints;
  /** What would make apply fail, as found when the plan was made (absent when nothing was, and before 1.2). */
  preflight?: PreflightProblem[];
}

export function savedPlan(file: string, plan: Plan, prints: Fingerprints, targets: string[], replace: string[] = [], wake = false, preflight: PreflightProblem[] = [], rotate: string[] = []): SavedPlan {
  return {
    format_version: SAVED_PLAN_VERSION,
    kind: SAVED_PLAN_KIND,
    file,
    targets,
    replace,
    ...(wake ? { wake } : {}),
    ...(rotate.length > 0 ? { rotate } : {}),
    plan,
    fingerprints: prints,
    ...(preflight.length > 0 ? { preflight } : {}),
  };
}

/** The targets the plan's fingerprints cover: none (everything) for plans saved before 1.1. */
export function fingerprintScope(saved: SavedPlan): string[] {
  return saved.format_version === '1.0' ? [] : saved.targets;
}

/** `owctl plan` arguments that make this plan again. */
export function remakeCommand(targets: readonly string[], path: string): string {
  return `owctl plan ${targets.length > 0 ? `--target ${targets.join(' ')} ` : ''}-o ${path}`;
}

/** Structural check of a parsed saved plan; returns a message for the first problem or null. */
export function savedPlanProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null) return 'not a JSON object';
  const candidate = value as Partial<SavedPlan>;
  if (candidate.kind !== SAVED_PLAN_KIND) return `"kind" is not "${SAVED_PLAN_KIND}" (is this a file from \`owctl plan -o\`?)`;
  if (typeof candidate.format_version !== 'string' || !candidate.format_version.startsWith('1.')) return `unsupported format_version ${String(candidate.format_version)}`;
  if (typeof candidate.file !== 'string' || typeof candidate.plan !== 'object' || typeof candidate.fingerprints !== 'object') return 'missing file, plan or fingerprints';
  return null;
}
