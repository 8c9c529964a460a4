/** Runs the owctl CLI in-process with captured output: the same code path as the binary, without a spawn. */
import { main } from '../../src/cli/main.ts';
import type { CommandIO } from '../../src/commands/io.ts';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * How long one owctl run inside a test may take before the test fails naming that run: a hang is reported as the
 * command that hung, with its output so far, not as a test that reached the runner's limit.
 */
export const STEP_LIMIT_MS = Number(process.env.OWCTL_TEST_STEP_TIMEOUT_MS ?? 180_000);

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
  const step = `owctl ${args.join(' ')}`;
  // Printed for the reporter: a failed file's output then says which owctl run was the last to start.
  process.stdout.write(`step: ${step}\n`);
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const tail = (stdout + stderr).split('\n').slice(-15).join('\n');
      reject(new Error(`${step} did not finish within ${STEP_LIMIT_MS / 1000} s (a hang); its output so far:\n${tail}`));
    }, STEP_LIMIT_MS);
  });
  try {
    const code = await Promise.race([main(['node', 'owctl', ...args], io), hung]);
    return { code, stdout, stderr };
  } finally {
    clearTimeout(timer);
  }
}
