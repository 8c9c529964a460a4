/**
 * load: openwork.yaml → validated, normalised DesiredState, or every problem found, each placed at its file, line
 * and column. Stages: read safely → .env → parse YAML → interpolate ${VAR} → schema → merge, normalise, check.
 * A file is first read the fast way (fast-yaml.ts); the full way, with source positions (load-positioned.ts,
 * loaded only then), runs when the fast way declines the file or finds any problem, and reports them all.
 */
import path from 'node:path';
import { OwctlError } from '../errors.ts';
import type { DesiredState } from '../model/desired.ts';
import { parseDotenv } from './dotenv.ts';
import { fastYaml } from './fast-yaml.ts';
import { checkData, collectSecrets, failed } from './outcome.ts';
import { readSource } from './read-source.ts';
import type { Diagnostic } from '../model/diagnostic.ts';
import type { LoadResult } from './load-result.ts';

export type { Diagnostic } from '../model/diagnostic.ts';
export type { LoadResult } from './load-result.ts';

export interface LoadOptions {
  /** Skip the fast path (tests compare the two). */
  positioned?: boolean;
  /** Unset variables that only secrets read are not problems (they go to `unsetSecrets`). */
  optionalSecrets?: boolean;
}

/**
 * Throws OwctlError `config.not_found` when the file does not exist; every other problem is a diagnostic.
 */
export async function loadConfig(file: string, env: NodeJS.ProcessEnv, options: LoadOptions = {}): Promise<LoadResult> {
  const absolute = path.resolve(file);
  const source = await readSource(absolute);
  if (source.kind === 'missing') {
    throw new OwctlError('config.not_found', `config file not found: ${file}`, {
      hint: 'run "owctl init" to create one, or pass another file with -f FILE',
      details: { file: absolute },
    });
  }
  if (source.kind === 'problem') return failed([{ file: absolute, path: '', ...source.problem }], []);

  const dotenv = await readDotenv(path.dirname(absolute), env);
  const lookup = (name: string): string | undefined => (Object.hasOwn(env, name) ? env[name] : Object.hasOwn(dotenv.vars, name) ? dotenv.vars[name] : undefined);
  if (options.positioned !== true && dotenv.diagnostics.length === 0) {
    const fast = fastYaml(source.text, lookup);
    if (fast !== undefined) {
      const { desired, issues } = checkData(fast.data, absolute, env);
      if (desired !== undefined && issues.length === 0) return { desired, diagnostics: [], secrets: collectSecrets(fast.data) };
    }
  }
  const { loadPositioned } = await import('./load-positioned.ts');
  return loadPositioned({ text: source.text, file: absolute, env, lookup, dotenv: dotenv.diagnostics, optionalSecrets: options.optionalSecrets });
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

