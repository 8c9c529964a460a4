/**
 * How every command reads the file: load it and, under GitHub Actions (`GITHUB_ACTIONS=true`), register each
 * secret with `::add-mask::` before anything else is printed and annotate each problem of an invalid file on its
 * line. The GitHub module is loaded only there: outside Actions this adds nothing to start-up.
 */
import { resolve } from 'node:path';
import { invalidConfigError, loadConfig, type LoadOptions } from '../config/load.ts';
import type { LoadResult } from '../config/load-result.ts';
import type { Diagnostic } from '../model/diagnostic.ts';
import type { DesiredState } from '../model/desired.ts';
import { rememberSecrets } from '../secrets/known.ts';
import { isGitHubActions, type CommandIO } from './io.ts';

/** Under GitHub Actions: mask these values in the job log. Call before printing anything derived from them. */
export async function maskSecrets(io: CommandIO, secrets: readonly string[]): Promise<void> {
  rememberSecrets(secrets);
  if (!isGitHubActions(io.env) || secrets.length === 0) return;
  const { maskCommands } = await import('../views/github.ts');
  io.stderr(maskCommands(secrets));
}

async function annotate(io: CommandIO, diagnostics: readonly Diagnostic[], command: string): Promise<void> {
  if (!isGitHubActions(io.env) || diagnostics.length === 0) return;
  const { errorAnnotations } = await import('../views/github.ts');
  io.stderr(errorAnnotations(diagnostics, io.cwd, `owctl ${command}`));
}

/** The load result with its diagnostics, for `owctl validate`, which reports them itself. */
export async function loadFileResult(file: string, io: CommandIO, command: string, options: LoadOptions = {}): Promise<LoadResult> {
  const result = await loadConfig(resolve(io.cwd, file), io.env, options);
  rememberSecrets(result.secrets);
  await maskSecrets(io, result.secrets);
  await annotate(io, result.diagnostics, command);
  return result;
}

/**
 * The desired state, or OwctlError `config.invalid` (masked and annotated first under GitHub Actions). A command
 * that never uses a secret value passes `optionalSecrets: true`: it then runs without the token variables, and the
 * secrets they would feed are empty.
 */
export async function loadFile(file: string, io: CommandIO, command: string, options: LoadOptions = {}): Promise<{ desired: DesiredState; secrets: string[] }> {
  const result = await loadFileResult(file, io, command, options);
  if (result.desired === undefined || result.diagnostics.length > 0) throw invalidConfigError(resolve(io.cwd, file), result.diagnostics);
  return { desired: result.desired, secrets: result.secrets };
}
