/**
 * The executor's token operations, made of the backend (where the server answers) and the token routes: the host
 * token reaches only the HTTP client, a new value only the person's private file (and, held in memory, the 401 proof
 * of a value it retires).
 */
import { randomBytes } from 'node:crypto';
import type { Backend, ServerAddress } from '../apply/backend.ts';
import type { AccessRuntime, RetiredToken } from '../apply/runtime.ts';
import { OwctlError } from '../errors.ts';
import { accessLabel } from '../model/access.ts';
import { accessRecordOf, accessRecordPatch, recordFromServer, tokenValueDigest } from '../model/access-record.ts';
import type { DesiredSandbox } from '../model/desired.ts';
import { readTokenFile, removeTokenFile, tokenFilePath, writeTokenFile } from '../secrets/token-files.ts';

/** The value stays in this module: the executor only holds the handle. */
const retiredValues = new WeakMap<RetiredToken, string>();

function retire(person: string, value: string | null): RetiredToken | null {
  if (value === null) return null;
  const handle: RetiredToken = Object.freeze({ person });
  retiredValues.set(handle, value);
  return handle;
}

export function accessRuntime(backend: Backend, project: string, projectDir: string): AccessRuntime {
  const where = async (sandbox: DesiredSandbox, instance?: string): Promise<ServerAddress> => {
    const address = await backend.serverAddress(sandbox, instance);
    if (address === null) throw new OwctlError('access.failed', `${sandbox.name} publishes no address for the OpenWork server`, { hint: `run \`owctl status ${sandbox.name}\`` });
    return address;
  };
  const api = () => import('../verify/access-api.ts');
  /** Values issued in this run, by sandbox and id, until their digest is recorded (memory only). */
  const issuedValues = new Map<string, { person: string; value: string }>();
  const checks = () => import('../verify/access-check.ts');
  return {
    async issue(sandbox, person, scope, instance) {
      const address = await where(sandbox, instance);
      const previous = await readTokenFile(projectDir, sandbox.name, person);
      const { issueToken } = await api();
      const issued = await issueToken({ ...address, hostToken: sandbox.tokens.host }, scope, accessLabel(project, sandbox.name, person));
      await writeTokenFile(projectDir, sandbox.name, person, issued.token);
      issuedValues.set(`${sandbox.name}\u0000${issued.id}`, { person, value: issued.token });
      return { id: issued.id, retired: retire(person, previous) };
    },
    async check(sandbox, person, scope, instance) {
      const value = await readTokenFile(projectDir, sandbox.name, person);
      if (value === null) return `no value on this machine (${tokenFilePath(projectDir, sandbox.name, person)}): not checked`;
      const { checkTokenScope } = await checks();
      const problem = await checkTokenScope(await where(sandbox, instance), value, scope);
      if (problem !== null) throw new OwctlError('verify.failed', `${person}'s token: ${problem}`, { hint: `\`owctl apply --rotate ${sandbox.name}/${person}\` issues a new one` });
      return `answers as ${scope}`;
    },
    async revoke(sandbox, ids, retired, instance, forget) {
      const address = await where(sandbox, instance);
      const old = retired === null ? (forget === undefined ? null : await readTokenFile(projectDir, sandbox.name, forget)) : (retiredValues.get(retired) ?? null);
      const { revokeToken } = await api();
      for (const id of ids) await revokeToken({ ...address, hostToken: sandbox.tokens.host }, id);
      if (forget !== undefined) await removeTokenFile(projectDir, sandbox.name, forget);
      if (old === null) return `revoked ${ids.join(', ')}`;
      const { checkRevoked } = await checks();
      const problem = await checkRevoked(address, old);
      if (problem !== null) throw new OwctlError('verify.failed', problem, { hint: `run \`owctl plan\`: the server may hold the token under another id` });
      return `revoked ${ids.join(', ')}; the old value gets 401`;
    },
    async record(sandbox, instance) {
      if (backend.readLabels === undefined || backend.writeLabels === undefined) return 'this engine keeps no record';
      const address = await where(sandbox, instance);
      const { listTokens } = await api();
      const access = await listTokens({ ...address, hostToken: sandbox.tokens.host });
      if (access === null) {
        throw new OwctlError('access.failed', `the server of ${sandbox.name} did not list its tokens, so owctl's record on the sandbox was not rewritten`, { hint: 'run `owctl apply` again once it answers (`owctl verify NAME`)' });
      }
      const labels = (await backend.readLabels(sandbox.name, instance)) ?? {};
      const before = accessRecordOf(labels);
      // The salt stays (a replacement's new sandbox carries the old record): digests of earlier values keep matching.
      const salt = before?.salt ?? randomBytes(16).toString('hex');
      const digests = new Map<string, string>();
      for (const entry of Object.values(before?.people ?? {})) if (entry.id !== null && entry.digest !== null) digests.set(entry.id, entry.digest);
      const mine = [...issuedValues].filter(([key]) => key.startsWith(`${sandbox.name}\u0000`));
      for (const [key, { person, value }] of mine) digests.set(key.slice(sandbox.name.length + 1), tokenValueDigest(sandbox.name, person, value, salt));
      const next = recordFromServer(access, project, sandbox.name, salt, digests);
      const patch = accessRecordPatch(labels, next);
      if (Object.keys(patch).length > 0) await backend.writeLabels(sandbox.name, patch, instance);
      for (const [key] of mine) issuedValues.delete(key);
      const people = Object.keys(next.people).length;
      return `${Object.keys(patch).length === 0 ? 'record unchanged' : 'recorded'}: ${people} ${people === 1 ? 'person' : 'people'} (ids and salted digests)`;
    },
  };
}
