/**
 * `owctl validate`: load the file and report. Exit 0 when valid, 1 otherwise. Reads no live state. Unset variables
 * that only secrets read are warnings, not problems: validating needs no secret (a fork's pull request has none);
 * plan and apply do.
 */
import path from 'node:path';
import { EXIT } from '../errors.ts';
import { diagnosticsJson, displayFile, formatDiagnostics } from '../views/diagnostics.ts';
import type { CommandIO } from './io.ts';
import { loadFileResult } from './load-file.ts';
import { fileWarnings } from '../config/warnings.ts';

export interface ValidateOptions {
  file: string;
  json: boolean;
}

export async function validateCommand(options: ValidateOptions, io: CommandIO): Promise<number> {
  const file = path.resolve(io.cwd, options.file);
  const shown = displayFile(file, io.cwd);
  const result = await loadFileResult(file, io, 'validate', { optionalSecrets: true });
  const unset = (result.unsetSecrets ?? []).map((d) => ({ ...d, hint: 'plan and apply need it: set it in the environment or in a .env file beside the YAML file' }));
  const names = result.desired?.sandboxes.map((sandbox) => sandbox.name) ?? [];
  const valid = result.desired !== undefined && result.diagnostics.length === 0;
  if (options.json) {
    const diagnostics = diagnosticsJson(result.diagnostics, { cwd: io.cwd });
    const fileLevel = fileWarnings(result.desired).map((message) => ({ file, line: 0, col: 0, path: '', message }));
    const warnings = diagnosticsJson([...unset, ...fileLevel], { cwd: io.cwd, severity: 'warning' });
    io.stdout(`${JSON.stringify({ format_version: '1.1', valid, sandboxes: names, diagnostics, warnings })}\n`);
    return valid ? EXIT.ok : EXIT.error;
  }
  if (unset.length > 0) io.stderr(formatDiagnostics(unset, { color: io.color, cwd: io.cwd, severity: 'warning' }));
  if (valid) {
    for (const warning of fileWarnings(result.desired)) io.stderr(`${shown}: warning: ${warning}\n`);
    io.stdout(`${shown}: valid (${count(names.length, 'sandbox', 'sandboxes')})\n`);
  } else {
    io.stderr(formatDiagnostics(result.diagnostics, { color: io.color, cwd: io.cwd }));
    io.stderr(`${shown}: invalid (${count(result.diagnostics.length, 'problem', 'problems')})\n`);
  }
  return valid ? EXIT.ok : EXIT.error;
}

function count(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}
