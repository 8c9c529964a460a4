/** Running one command: any error becomes output plus an exit code; a stack trace only with OWCTL_DEBUG=1. */
import type { CommandIO } from '../commands/io.ts';
import { EXIT } from '../errors.ts';
import { errorJson, renderError } from '../views/error.ts';

export interface GlobalOptions {
  file: string;
  msb?: string;
  color: boolean;
}

export async function runCommand(io: CommandIO, json: boolean, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (error) {
    if (json) io.stdout(`${JSON.stringify({ format_version: '1.0', error: errorJson(error) })}\n`);
    io.stderr(renderError(error, { color: io.color && !json, debug: io.env.OWCTL_DEBUG === '1', cwd: io.cwd }));
    return typeof (error as { exitCode?: unknown }).exitCode === 'number' ? (error as { exitCode: number }).exitCode : EXIT.error;
  }
}
