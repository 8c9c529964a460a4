/** Runs the owctl CLI in-process with captured output: the same code path as the binary, without a spawn. */
import { main } from '../../src/cli/main.ts';
import type { CommandIO } from '../../src/commands/io.ts';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; interactive?: boolean } = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const io: CommandIO = {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    env: { ...options.env },
    cwd: options.cwd ?? process.cwd(),
    interactive: options.interactive ?? false,
    color: false,
  };
  const code = await main(['node', 'owctl', ...args], io);
  return { code, stdout, stderr };
}
