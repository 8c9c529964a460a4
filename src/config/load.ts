/**
 * load: openwork.yaml → validated, normalised DesiredState, or every problem found, each placed at its file, line
 * and column. Stages: read safely → .env → parse YAML → interpolate ${VAR} → schema → merge, normalise, check.
 */
import os from 'node:os';
import path from 'node:path';
import { OwctlError } from '../errors.ts';
import type { DesiredState } from '../model/desired.ts';
import { SENSITIVE } from '../model/plan.ts';
import { buildDesired } from './build.ts';
import { MAX_ALIAS_COUNT, MAX_DIAGNOSTICS } from './defaults.ts';
import { parseDotenv } from './dotenv.ts';
import { interpolateDocument } from './interpolate-doc.ts';
import { formatPath, isUnder, type Issue, type Segment } from './issue.ts';
import { Locator } from './locate.ts';
import { isMapping } from './merge.ts';
import { parseYaml } from './parse-yaml.ts';
import { readSource } from './read-source.ts';
import { schema, validate } from './schema.ts';
import { rejectedPaths, schemaIssues } from './schema-errors.ts';

export interface Diagnostic {
  file: string;
  line: number;
  col: number;
  /** Key path, e.g. `sandboxes.alice.resources.memory`; empty for problems of the file as a whole. */
  path: string;
  message: string;
  hint?: string;
}

export interface LoadResult {
  /** Set only when `diagnostics` is empty. */
  desired?: DesiredState;
  diagnostics: Diagnostic[];
  /** Every secret value the file yields (tokens), for views to mask. */
  secrets: string[];
}

/** Throws OwctlError `config.not_found` when the file does not exist; every other problem is a diagnostic. */
export async function loadConfig(file: string, env: NodeJS.ProcessEnv): Promise<LoadResult> {
  const absolute = path.resolve(file);
  const dir = path.dirname(absolute);
  const source = await readSource(absolute);
  if (source.kind === 'missing') {
    throw new OwctlError('config.not_found', `config file not found: ${file}`, {
      hint: 'run "owctl init" to create one, or pass another file with -f FILE',
      details: { file: absolute },
    });
  }
  if (source.kind === 'problem') return failed([{ file: absolute, path: '', ...source.problem }], []);

  const dotenv = await readDotenv(dir, env);
  const lookup = (name: string): string | undefined => (Object.hasOwn(env, name) ? env[name] : Object.hasOwn(dotenv.vars, name) ? dotenv.vars[name] : undefined);
  const { parsed, issues: syntax } = parseYaml(source.text, absolute);
  if (!parsed) return failed([...dotenv.diagnostics, ...place(syntax, absolute)], []);

  const { doc, lineCounter } = parsed;
  const locator = new Locator(doc, lineCounter);
  const interpolation = interpolateDocument(doc, source.text, lineCounter, absolute, lookup);
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    // yaml throws a ReferenceError when aliases expand past maxAliasCount ("billion laughs"); unknown aliases
    // were reported by parseYaml already. Anything else is a bug and goes up as one.
    if (!(error instanceof ReferenceError)) throw error;
    const issue: Issue = { path: [], message: 'too many alias (*name) expansions', hint: 'this looks like an alias bomb; use defaults instead of anchors' };
    return failed([...dotenv.diagnostics, ...place([...interpolation.issues, issue], absolute, locator)], []);
  }
  const secrets = collectSecrets(data);
  const issues: Issue[] = [];
  let desired: DesiredState | undefined;
  if (!isMapping(data)) {
    const empty = data === null || data === undefined;
    issues.push({ path: [], message: empty ? 'the file is empty' : 'the file must be a mapping (key: value lines) at the top level', hint: 'start from: version: 1, project: NAME, sandboxes: {...}' });
  } else {
    const errors = validate(schema().validateFile, data);
    const structural = schemaIssues(errors, data);
    const built = buildDesired({ data, file: absolute, dir, home: env.HOME || os.homedir(), rejected: rejectedPaths(errors, data) });
    issues.push(...structural, ...built.issues);
    desired = built.desired;
  }
  // A value that failed interpolation is reported once, as such, not again by every check it then fails.
  const checked = issues.filter((issue) => !interpolation.failed.some((failedPath) => isUnder(issue.path, failedPath)));
  const diagnostics = [...dotenv.diagnostics, ...place([...interpolation.issues, ...checked], absolute, locator)];
  if (diagnostics.length > 0 || desired === undefined) return failed(diagnostics, secrets);
  for (const sandbox of desired.sandboxes) sandbox.source = { file: absolute, ...locator.position(['sandboxes', sandbox.name], 'key') };
  return { desired, diagnostics: [], secrets };
}

/** Like loadConfig, but throws OwctlError `config.invalid` carrying the diagnostics in `details.diagnostics`. */
export async function loadDesiredState(file: string, env: NodeJS.ProcessEnv): Promise<{ desired: DesiredState; secrets: string[] }> {
  const result = await loadConfig(file, env);
  if (result.desired && result.diagnostics.length === 0) return { desired: result.desired, secrets: result.secrets };
  throw invalidConfigError(file, result.diagnostics);
}

/** `config.invalid`: the first problem with its place in the message, all of them in `details.diagnostics`. */
export function invalidConfigError(file: string, diagnostics: Diagnostic[]): OwctlError {
  const count = diagnostics.length;
  const first = diagnostics[0];
  const where = first ? `${first.file === path.resolve(file) ? file : first.file}:${first.line}:${first.col}` : file;
  const summary = first ? `${where}: ${first.path === '' ? '' : `${first.path}: `}${first.message}` : `${file} is not valid`;
  return new OwctlError('config.invalid', count > 1 ? `${summary} (and ${count - 1} more ${count === 2 ? 'problem' : 'problems'})` : summary, {
    hint: `run "owctl validate -f ${file}" to list every problem with its line`,
    details: { file: path.resolve(file), diagnostics },
  });
}

async function readDotenv(dir: string, env: NodeJS.ProcessEnv): Promise<{ vars: Record<string, string>; diagnostics: Diagnostic[] }> {
  const file = path.join(dir, '.env');
  const source = await readSource(file);
  if (source.kind === 'missing') return { vars: {}, diagnostics: [] };
  if (source.kind === 'problem') return { vars: {}, diagnostics: [{ file, path: '', ...source.problem }] };
  const parsed = parseDotenv(source.text, env);
  return { vars: parsed.vars, diagnostics: parsed.problems.map((problem) => ({ file, path: '', ...problem })) };
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

function failed(diagnostics: Diagnostic[], secrets: string[]): LoadResult {
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

/** Token values wherever the file sets them (valid or not), so views can mask them even in error output. */
function collectSecrets(data: unknown): string[] {
  if (!isMapping(data)) return [];
  const holders = [data.defaults, ...(isMapping(data.sandboxes) ? Object.values(data.sandboxes) : [])];
  const found = new Set<string>();
  for (const holder of holders) {
    const tokens = isMapping(holder) ? holder.tokens : undefined;
    if (!isMapping(tokens)) continue;
    for (const key of ['client', 'host']) if (typeof tokens[key] === 'string' && tokens[key] !== '') found.add(tokens[key]);
  }
  return [...found].sort(compare);
}
