/**
 * Schema-checked file data → DesiredState: merges defaults under each sandbox, checks that what must be set is set,
 * normalises, and runs the semantic checks. Values the schema rejected are pruned first, so every other problem
 * is still found (and none is reported twice); the DesiredState is only used when there are no issues at all.
 */
import type { DesiredSandbox, DesiredState } from '../model/desired.ts';
import { checkBackendKeys, normaliseBackend } from './backend-checks.ts';
import { checkHostPorts, checkSandbox } from './checks.ts';
import { checkEgressSupport } from './network-checks.ts';
import { MSB_CAPABILITIES } from '../model/capabilities.ts';
import { OPENSANDBOX_CAPABILITIES } from '../opensandbox/capabilities.ts';
import { checkAllowedFolders, checkBindSources, type MountPolicy } from './mount-policy.ts';
import { checkArchive } from './host-files.ts';
import { checkPublicValues, markSecretBearers } from './secret-bearers.ts';
import { isUnder, type Issue, type Segment } from './issue.ts';
import { isMapping, mergeDefaults } from './merge.ts';
import { normaliseSandbox, type NormaliseContext, type RawSandbox } from './normalise.ts';
import { prune } from './prune.ts';
import { schema, validate } from './schema.ts';
import { schemaIssues } from './schema-errors.ts';

export interface BuildInput {
  data: Record<string, unknown>;
  file: string;
  dir: string;
  home: string;
  /** Paths of values the schema rejected. */
  rejected: Segment[][];
  /** Which bind sources are allowed; without it bind sources are not checked against the host (pure callers). */
  policy?: MountPolicy;
}

export function buildDesired(input: BuildInput): { desired: DesiredState; issues: Issue[] } {
  const issues: Issue[] = [];
  const sandboxes: DesiredSandbox[] = [];
  const context: NormaliseContext = { dir: input.dir, home: input.home };
  const data = prune(input.data, input.rejected);
  const declared = isMapping(data.sandboxes) ? data.sandboxes : {};
  const { backend, issues: backendIssues } = normaliseBackend(data.backend);
  issues.push(...backendIssues);
  // A key reported missing because its (bad) value was pruned — here or under defaults — is not a new problem.
  const pruned = (path: Segment[]): boolean =>
    input.rejected.some((rejected) => rejected.length > 0 && (isUnder(path, rejected) || isUnder(['defaults', ...path.slice(2)], rejected)));
  for (const name of Object.keys(declared).sort(byCodePoint)) {
    const own = declared[name];
    if (!isMapping(own)) continue;
    const merged = mergeDefaults(data.defaults, own);
    const required = validate(schema().validateComplete, merged).filter((error) => error.keyword === 'required');
    const missing = schemaIssues(required, merged, { base: ['sandboxes', name], requiredHint: 'set it on the sandbox or under defaults' });
    issues.push(...missing.filter((issue) => !pruned(issue.path)));
    const normalised = normaliseSandbox(name, merged as RawSandbox, context);
    issues.push(...normalised.issues, ...checkSandbox(normalised.sandbox), ...checkBackendKeys(merged as Record<string, unknown>, normalised.sandbox, backend));
    const caps = backend.type === 'opensandbox' ? OPENSANDBOX_CAPABILITIES : MSB_CAPABILITIES;
    issues.push(...checkEgressSupport(normalised.sandbox, (...rest) => ['sandboxes', name, ...rest], caps.egress, backend.type));
    // Bind sources are this host's folders only on msb (OpenSandbox binds paths on its server).
    if (input.policy && backend.type === 'msb') {
      const at = (...rest: Segment[]): Segment[] => ['sandboxes', name, ...rest];
      issues.push(...checkBindSources(normalised.sandbox, at, input.policy), ...checkArchive(normalised.sandbox, at));
    }
    sandboxes.push(normalised.sandbox);
  }
  issues.push(...checkHostPorts(sandboxes));
  if (input.policy && backend.type === 'msb' && Array.isArray(data.allow_host_paths)) issues.push(...checkAllowedFolders(input.policy, data.allow_host_paths.map(String)));
  const secrets = markSecretBearers(sandboxes, backend);
  for (const sandbox of sandboxes) issues.push(...checkPublicValues(sandbox, secrets));
  const project = typeof data.project === 'string' ? data.project : '';
  const desired: DesiredState = { file: input.file, dir: input.dir, project, sandboxes };
  if (backend.type !== 'msb') desired.backend = backend;
  return { desired, issues };
}

function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
