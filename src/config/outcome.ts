/**
 * What both ways of reading the file share once they hold plain data: schema, merge, normalise and semantic
 * checks (checkData), the secrets to mask, and the final shape of a list of diagnostics.
 */
import { homedir } from 'node:os';
import path from 'node:path';
import type { DesiredState } from '../model/desired.ts';
import { SENSITIVE } from '../model/plan.ts';
import { buildDesired } from './build.ts';
import { readAllowlist, type MountPolicy } from './mount-policy.ts';
import { hostPath } from './normalise.ts';
import type { Issue } from './issue.ts';
import type { Diagnostic } from '../model/diagnostic.ts';
import type { LoadResult } from './load-result.ts';
import { isMapping } from './merge.ts';
import { schema, validate } from './schema.ts';
import { rejectedPaths, schemaIssues } from './schema-errors.ts';

/** Schema and semantic checks of interpolated data; `desired` is set when the data could be built at all. */
export function checkData(data: unknown, file: string, env: NodeJS.ProcessEnv): { desired?: DesiredState; issues: Issue[] } {
  if (!isMapping(data)) {
    const empty = data === null || data === undefined;
    return {
      issues: [{ path: [], message: empty ? 'the file is empty' : 'the file must be a mapping (key: value lines) at the top level', hint: 'start from: version: 1, project: NAME, sandboxes: {...}' }],
    };
  }
  const errors = validate(schema().validateFile, data);
  const structural = schemaIssues(errors, data);
  const dir = path.dirname(file);
  const home = env.HOME || homedir();
  const built = buildDesired({ data, file, dir, home, rejected: rejectedPaths(errors, data), policy: mountPolicy(data, dir, home, env) });
  return { desired: built.desired, issues: [...structural, ...built.issues] };
}

function mountPolicy(data: Record<string, unknown>, dir: string, home: string, env: NodeJS.ProcessEnv): MountPolicy {
  const listed = Array.isArray(data.allow_host_paths) ? data.allow_host_paths.filter((p): p is string => typeof p === 'string') : [];
  const allowlist = readAllowlist(env, home);
  const msbHome = env.MSB_HOME ? path.resolve(env.MSB_HOME) : path.join(home, '.microsandbox');
  return { projectDir: dir, home, allowed: [...listed.map((p) => hostPath(p, { dir, home })), ...allowlist.folders], allowlistFile: allowlist.file, msbHome };
}

/** The result of a load that found problems: its diagnostics tidied, the secrets still known so views can mask them. */
export function failed(diagnostics: Diagnostic[], secrets: string[]): LoadResult {
  return { diagnostics: tidy(diagnostics, secrets), secrets };
}

/** Sorted, without repeats (a bad default is found once per sandbox), secrets masked as a last line of defence. */
function tidy(diagnostics: Diagnostic[], secrets: string[]): Diagnostic[] {
  const masked = secrets.filter((secret) => secret.length >= 8);
  const mask = (text: string): string => masked.reduce((out, secret) => out.replaceAll(secret, SENSITIVE), text);
  const unique = new Map<string, Diagnostic>();
  for (const diagnostic of diagnostics) {
    const clean = { ...diagnostic, message: mask(diagnostic.message), ...(diagnostic.hint ? { hint: mask(diagnostic.hint) } : {}) };
    const key = JSON.stringify([clean.file, clean.line, clean.col, clean.path, clean.message]);
    if (!unique.has(key)) unique.set(key, clean);
  }
  return [...unique.values()].sort(
    (a, b) => compare(a.file, b.file) || a.line - b.line || a.col - b.col || compare(a.path, b.path) || compare(a.message, b.message),
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Shorter values are not masked: `[redacted]` in place of every `$` or `a` would garble all output (a file with a
 * YAML error can yield a token `$`), and a secret that short protects nothing. Plans still show them as sensitive.
 */
const MIN_MASKED = 4;

/** Token values, sensitive env values, credential values and the backend's API key wherever the file sets them (valid or not), so views can mask them even in error output. */
export function collectSecrets(data: unknown): string[] {
  if (!isMapping(data)) return [];
  const holders = [data.defaults, ...(isMapping(data.sandboxes) ? Object.values(data.sandboxes) : [])];
  const found = new Set<string>();
  for (const holder of holders) {
    if (!isMapping(holder)) continue;
    const tokens = holder.tokens;
    if (isMapping(tokens)) for (const key of ['client', 'host']) if (typeof tokens[key] === 'string' && tokens[key] !== '') found.add(tokens[key]);
    if (isMapping(holder.credentials)) {
      for (const credential of Object.values(holder.credentials)) {
        if (isMapping(credential) && credential.value !== undefined && credential.value !== '' && credential.value !== null) found.add(String(credential.value));
      }
    }
    const env = holder.env;
    if (!isMapping(env)) continue;
    for (const value of Object.values(env)) {
      if (isMapping(value) && value.sensitive === true && value.value !== undefined && value.value !== '') found.add(String(value.value));
    }
  }
  const apiKey = isMapping(data.backend) ? data.backend.api_key : undefined;
  if (typeof apiKey === 'string' && apiKey !== '') found.add(apiKey);
  return [...found].filter((secret) => secret.length >= MIN_MASKED).sort(compare);
}
