/**
 * Which interpolation problems only concern secrets: a variable that is not set where a token or a sensitive env
 * value reads it — and the same variable anywhere else (a token reused as `SIDECAR_PASSWORD: ${TOKEN}`). Commands
 * that never use a secret value (status, destroy, logs, connect, validate) can run without such variables, as in a
 * fork's pull request that gets no secrets.
 */
import type { Issue, Segment } from './issue.ts';
import { isMapping } from './merge.ts';

/** `…tokens.client`, `…tokens.host`, `…credentials.VAR.value`, or `…env.KEY.value` of an env value marked `sensitive: true`. */
function isSecretPath(path: readonly Segment[], data: unknown): boolean {
  const n = path.length;
  if (n >= 2 && path[n - 2] === 'tokens' && (path[n - 1] === 'client' || path[n - 1] === 'host')) return true;
  if (n >= 3 && path[n - 3] === 'credentials' && path[n - 1] === 'value') return true;
  if (n < 3 || path[n - 3] !== 'env' || path[n - 1] !== 'value') return false;
  let holder: unknown = data;
  for (const segment of path.slice(0, -1)) holder = isMapping(holder) ? holder[String(segment)] : undefined;
  return isMapping(holder) && holder.sensitive === true;
}

export function unsetSecretIssues(issues: readonly Issue[], data: unknown): Set<Issue> {
  const variables = new Set(issues.filter((issue) => issue.variable !== undefined && isSecretPath(issue.path, data)).map((issue) => issue.variable!));
  return new Set(issues.filter((issue) => issue.variable !== undefined && variables.has(issue.variable)));
}
