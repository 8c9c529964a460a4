/**
 * Whether this machine's token file holds a person's current token: its salted digest against owctl's record on
 * the sandbox (labels or metadata). Another machine that issued or rotated the token leaves a file here that the
 * server refuses; this says so instead of a bare 401. Read-only; the value never leaves this module but as a digest.
 */
import type { Backend } from '../apply/backend.ts';
import { accessRecordOf, fileAgainstRecord, type AccessRecord } from '../model/access-record.ts';
import type { DesiredSandbox } from '../model/desired.ts';
import { tokenFilePath } from '../secrets/token-files.ts';

export type FileStanding = 'current' | 'other' | 'unknown';

/** The record on the sandbox, once per call site; null when the engine keeps none or cannot be read. */
export async function recordOn(backend: Backend, sandbox: DesiredSandbox): Promise<AccessRecord | null> {
  if (backend.readLabels === undefined) return null;
  const labels = await backend.readLabels(sandbox.name).catch(() => null);
  return labels === null ? null : accessRecordOf(labels);
}

export function standingOf(record: AccessRecord | null, sandbox: DesiredSandbox, person: string, value: string): FileStanding {
  return fileAgainstRecord(record, sandbox.name, person, value);
}

/** The sentence for a file that is not the current token, and what to do. */
export function notCurrent(projectDir: string, sandbox: DesiredSandbox, person: string): { message: string; hint: string } {
  return {
    message: `${tokenFilePath(projectDir, sandbox.name, person)} is not ${person}'s current token: owctl's record on ${sandbox.name} holds the digest of another (it was issued or rotated from another machine)`,
    hint: `take the value from where it was issued, or issue one here with \`owctl apply --rotate ${sandbox.name}/${person}\` (the other copy then stops working)`,
  };
}
