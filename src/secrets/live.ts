/**
 * Secrets a live sandbox holds, read from its stored env: the values of the env keys owctl recorded as secret when
 * it applied the sandbox, and of the token variables the file names. They let a command redact what the server
 * prints even when the token variables are not set for this run.
 */
import { parseAppliedRecord } from '../model/applied.ts';
import type { DesiredSandbox } from '../model/desired.ts';
import { LABEL_APPLIED } from '../model/labels.ts';
import type { ObservedSandbox } from '../model/observed.ts';

export function liveSecrets(live: ObservedSandbox, declared?: DesiredSandbox): string[] {
  const keys = new Set(parseAppliedRecord(live.labels[LABEL_APPLIED])?.secret_env ?? []);
  if (declared !== undefined) for (const key of [declared.tokens.clientEnv, declared.tokens.hostEnv, ...declared.sensitiveEnv]) keys.add(key);
  return [...keys].map((key) => live.env[key]).filter((value): value is string => value !== undefined && value !== '');
}
