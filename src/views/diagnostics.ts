/**
 * Config diagnostics for people (`file:line:col: error: path: message` plus `  hint: …`) and for --json. Both
 * show files relative to the working folder when that is shorter. Messages never hold secret values (the loader
 * masks them), so nothing is redacted here.
 */
import path from 'node:path';
import type { Diagnostic } from '../model/diagnostic.ts';
import { style } from './style.ts';

export interface DiagnosticsViewOptions {
  color: boolean;
  /** Folder paths are shown relative to (default: the process's working folder). */
  cwd?: string;
  /** `warning` for problems that do not make the file invalid (default `error`). */
  severity?: 'error' | 'warning';
}

export interface DiagnosticJson {
  severity: 'error' | 'warning';
  file: string;
  line: number;
  col: number;
  path: string;
  message: string;
  hint: string | null;
}

export function formatDiagnostics(diagnostics: readonly Diagnostic[], options: DiagnosticsViewOptions): string {
  const s = style(options.color);
  const cwd = options.cwd ?? process.cwd();
  return diagnostics
    .map((diagnostic) => {
      const where = s.bold(`${displayFile(diagnostic.file, cwd)}:${diagnostic.line}:${diagnostic.col}:`);
      const subject = diagnostic.path === '' ? '' : `${diagnostic.path}: `;
      const label = options.severity === 'warning' ? s.yellow(s.bold('warning:')) : s.red(s.bold('error:'));
      const line = `${where} ${label} ${subject}${diagnostic.message}\n`;
      return diagnostic.hint ? `${line}  ${s.cyan('hint:')} ${diagnostic.hint}\n` : line;
    })
    .join('');
}

export function diagnosticsJson(diagnostics: readonly Diagnostic[], options: { cwd?: string; severity?: 'error' | 'warning' } = {}): DiagnosticJson[] {
  const cwd = options.cwd ?? process.cwd();
  return diagnostics.map((diagnostic) => ({
    severity: options.severity ?? 'error',
    file: displayFile(diagnostic.file, cwd),
    line: diagnostic.line,
    col: diagnostic.col,
    path: diagnostic.path,
    message: diagnostic.message,
    hint: diagnostic.hint ?? null,
  }));
}

/** The file relative to `cwd` when that is shorter than the absolute path. */
export function displayFile(file: string, cwd: string): string {
  const relative = path.relative(cwd, file);
  return relative !== '' && relative.length < file.length ? relative : file;
}
