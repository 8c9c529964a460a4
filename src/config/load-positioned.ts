/**
 * The full way of reading the file, on the `yaml` package: a document with source ranges, guarded against hostile
 * input (parse-yaml.ts), interpolated in place (interpolate-doc.ts), then checked, with every problem placed at
 * its file, line and column. Taken when the fast path (fast-yaml.ts) declines a file or finds a problem in it.
 */
import type { Diagnostic } from '../model/diagnostic.ts';
import type { LoadResult } from './load-result.ts';
import { MAX_ALIAS_COUNT, MAX_DIAGNOSTICS } from './defaults.ts';
import { interpolateDocument } from './interpolate-doc.ts';
import type { Lookup } from './interpolate.ts';
import { formatPath, isUnder, type Issue, type Segment } from './issue.ts';
import { Locator } from './locate.ts';
import { checkData, collectSecrets, failed } from './outcome.ts';
import { unsetSecretIssues } from './optional-secrets.ts';
import { parseYaml, type ParsedYaml } from './parse-yaml.ts';
import { trustworthy } from './syntax-salvage.ts';

export interface PositionedInput {
  text: string;
  /** Absolute path of the file. */
  file: string;
  env: NodeJS.ProcessEnv;
  lookup: Lookup;
  /** Problems of the .env file beside it, reported with the file's own. */
  dotenv: Diagnostic[];
  /** Unset variables that only secrets use are reported in `unsetSecrets`, not as problems (see optional-secrets.ts). */
  optionalSecrets?: boolean;
}

export function loadPositioned({ text, file, env, lookup, dotenv, optionalSecrets }: PositionedInput): LoadResult {
  const { parsed, partial, errorOffsets, issues: syntax } = parseYaml(text, file);
  if (!parsed) {
    const beside = besideSyntaxErrors(partial, errorOffsets ?? [], text, file, env, lookup);
    return failed([...dotenv, ...place(syntax, file), ...beside.diagnostics], beside.secrets);
  }

  const { doc, lineCounter } = parsed;
  const locator = new Locator(doc, lineCounter);
  const interpolation = interpolateDocument(doc, text, lineCounter, file, lookup);
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    // yaml throws a ReferenceError when aliases expand past maxAliasCount ("billion laughs"); unknown aliases
    // were reported by parseYaml already. Anything else is a bug and goes up as one.
    if (!(error instanceof ReferenceError)) throw error;
    const issue: Issue = { path: [], message: 'too many alias (*name) expansions', hint: 'this looks like an alias bomb; use defaults instead of anchors' };
    return failed([...dotenv, ...place([...interpolation.issues, issue], file, locator)], []);
  }
  const secrets = collectSecrets(data);
  const { desired, issues } = checkData(data, file, env);
  // A value that failed interpolation is reported once, as such, not again by every check it then fails.
  const checked = issues.filter((issue) => !interpolation.failed.some((failedPath) => isUnder(issue.path, failedPath)));
  const unset = optionalSecrets === true ? unsetSecretIssues(interpolation.issues, data) : new Set<Issue>();
  const problems = interpolation.issues.filter((issue) => !unset.has(issue));
  const diagnostics = [...dotenv, ...place([...problems, ...checked], file, locator)];
  const unsetSecrets = place([...unset], file, locator);
  if (diagnostics.length > 0 || desired === undefined) return { ...failed(diagnostics, secrets), ...(unsetSecrets.length > 0 ? { unsetSecrets } : {}) };
  return { desired, diagnostics: [], secrets, ...(unsetSecrets.length > 0 ? { unsetSecrets } : {}) };
}

/** The problems of a file with YAML syntax errors that lie away from them (see syntax-salvage.ts). */
function besideSyntaxErrors(
  partial: ParsedYaml | undefined,
  offsets: number[],
  text: string,
  file: string,
  env: NodeJS.ProcessEnv,
  lookup: Lookup,
): { diagnostics: Diagnostic[]; secrets: string[] } {
  const none = { diagnostics: [], secrets: [] };
  if (partial === undefined || offsets.length === 0) return none;
  const locator = new Locator(partial.doc, partial.lineCounter);
  const interpolation = interpolateDocument(partial.doc, text, partial.lineCounter, file, lookup);
  let data: unknown;
  try {
    data = partial.doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch {
    return none;
  }
  const issues = checkData(data, file, env).issues.filter((issue) => !interpolation.failed.some((failedPath) => isUnder(issue.path, failedPath)));
  return { diagnostics: place(trustworthy(issues, locator, offsets), file, locator), secrets: collectSecrets(data) };
}

/**
 * Places issues: each at its own position if it has one, else at its path in the YAML. A hostile file can hold
 * thousands of problems; past MAX_DIAGNOSTICS one more diagnostic (at the next problem) says how many are left.
 */
function place(issues: Issue[], file: string, locator?: Locator): Diagnostic[] {
  const shown = issues.slice(0, MAX_DIAGNOSTICS).map((issue) => placeOne(issue, file, locator));
  const rest = issues.length - MAX_DIAGNOSTICS;
  if (rest <= 0) return shown;
  const next = placeOne(issues[MAX_DIAGNOSTICS]!, file, locator);
  return [...shown, { ...next, path: '', message: `and ${rest} more ${rest === 1 ? 'problem' : 'problems'} (only the first ${MAX_DIAGNOSTICS} are listed)` }];
}

function placeOne(issue: Issue, file: string, locator: Locator | undefined): Diagnostic {
  const shownPath = issue.at || !locator ? issue.path : origin(issue.path, locator);
  const where = issue.at ?? { file, ...(locator ? locator.position(shownPath, issue.on) : { line: 1, col: 1 }) };
  const diagnostic: Diagnostic = { file: where.file, line: where.line, col: where.col, path: formatPath(shownPath), message: issue.message };
  return issue.hint ? { ...diagnostic, hint: issue.hint } : diagnostic;
}

/** A merged sandbox value that the sandbox itself does not set came from `defaults`: point there. */
function origin(issuePath: Segment[], locator: Locator): Segment[] {
  if (issuePath[0] !== 'sandboxes' || issuePath.length < 3 || locator.has(issuePath)) return issuePath;
  const fromDefaults = ['defaults', ...issuePath.slice(2)];
  return locator.has(fromDefaults) ? fromDefaults : issuePath;
}

