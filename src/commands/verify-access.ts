/**
 * `owctl verify NAME`: one check per person of the sandbox's access, after the server's own steps passed. Each
 * token comes from the person's file on this machine (written once, when issued); without it nothing can be
 * proven about that token, and the result says so (`checked: false`) rather than pass it. A file whose salted digest
 * is not the one owctl's record on the sandbox holds (rotated from another machine) fails, saying so.
 */
import type { Backend } from '../apply/backend.ts';
import type { AccessScope } from '../model/access.ts';
import type { DesiredSandbox } from '../model/desired.ts';
import { readTokenFile, tokenFilePath } from '../secrets/token-files.ts';
import { notCurrent, recordOn, standingOf } from './token-standing.ts';

export interface AccessCheck {
  person: string;
  scope: AccessScope;
  ok: boolean;
  checked: boolean;
  duration_ms: number;
  message?: string;
}

export async function verifyAccess(backend: Backend, sandbox: DesiredSandbox, projectDir: string): Promise<AccessCheck[]> {
  const entries = sandbox.access ?? [];
  if (entries.length === 0) return [];
  const address = await backend.serverAddress(sandbox);
  const { checkTokenScope } = await import('../verify/access-check.ts');
  const checks: AccessCheck[] = [];
  const record = await recordOn(backend, sandbox);
  for (const { person, scope } of entries) {
    const started = Date.now();
    const value = await readTokenFile(projectDir, sandbox.name, person);
    if (value === null || address === null) {
      const why = value === null ? `no value on this machine (${tokenFilePath(projectDir, sandbox.name, person)})` : 'the sandbox publishes no address';
      checks.push({ person, scope, ok: true, checked: false, duration_ms: Date.now() - started, message: `${why}: not checked` });
      continue;
    }
    if (standingOf(record, sandbox, person, value) === 'other') {
      const { message, hint } = notCurrent(projectDir, sandbox, person);
      checks.push({ person, scope, ok: false, checked: true, duration_ms: Date.now() - started, message: `${message}; ${hint}` });
      continue;
    }
    const problem = await checkTokenScope(address, value, scope);
    checks.push({ person, scope, ok: problem === null, checked: true, duration_ms: Date.now() - started, ...(problem === null ? {} : { message: problem }) });
  }
  return checks;
}
