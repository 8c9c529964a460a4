/** `owctl validate`: load the file and report. Exit 0 when valid, 1 otherwise. Reads no live state. */
import path from 'node:path';
import { EXIT } from '../errors.ts';
import { diagnosticsJson, displayFile, formatDiagnostics } from '../views/diagnostics.ts';
import type { CommandIO } from './io.ts';
import { loadFileResult } from './load-file.ts';

export interface ValidateOptions {
  file: string;
  json: boolean;
}

export async function validateCommand(options: ValidateOptions, io: CommandIO): Promise<number> {
  const file = path.resolve(io.cwd, options.file);
  const shown = displayFile(file, io.cwd);
  const result = await loadFileResult(file, io, 'validate');
  const names = result.desired?.sandboxes.map((sandbox) => sandbox.name) ?? [];
  const valid = result.desired !== undefined && result.diagnostics.length === 0;
  if (options.json) {
    const diagnostics = diagnosticsJson(result.diagnostics, { cwd: io.cwd });
    io.stdout(`${JSON.stringify({ format_version: '1.0', valid, sandboxes: names, diagnostics })}\n`);
  } else if (valid) {
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
