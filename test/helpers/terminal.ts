/**
 * owctl in a real pseudo-terminal (util-linux `script`), used the way a person uses it: what the test writes is
 * typed on the terminal, so Ctrl-C is the byte 0x03, which the terminal's line discipline turns into SIGINT for
 * its whole foreground process group — not a `kill` aimed at one pid. The session's shell `exec`s owctl, so owctl
 * leads that process group; `signalGroup` sends other signals to the group (SIGTERM, SIGHUP) the same way.
 * owctl is the built program (bin/owctl.js, test/helpers/built-cli.ts), as a person's terminal runs it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { builtOwctl } from './built-cli.ts';

export const CTRL_C = '\u0003';
export const CTRL_D = '\u0004';

/** Why terminal tests cannot run here, or false when they can. */
export const NO_TERMINAL: string | false = spawnSync('script', ['--version']).status === 0 ? false : 'needs util-linux `script` for a pseudo-terminal';

export interface TerminalRun {
  /** Everything the terminal showed so far: CR/LF folded to LF, colours and cursor movements removed. */
  output(): string;
  type(text: string): void;
  /** owctl's pid, which is also its process group (the terminal's foreground group). */
  pgid(): Promise<number>;
  signalGroup(signal: NodeJS.Signals): Promise<void>;
  done: Promise<{ code: number; output: string }>;
}

const quote = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`;
// SGR, cursor movement, erase-line and the like: what listr2 and readline draw with.
const ESCAPES = /\u001b\[[0-9;?]*[A-Za-z]|\u001b[78=>]/g;

/** Runs `owctl ARGS` in a pseudo-terminal of 120 columns (or `columns`); `pipe` appends a shell pipeline (`| cat`) after owctl. */
export function inTerminal(args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; pipe?: string; columns?: number }): TerminalRun {
  const owctl = builtOwctl(args).map(quote).join(' ');
  const line = options.pipe === undefined ? `exec ${owctl}` : `set -o pipefail; ${owctl} ${options.pipe}`;
  const command = `stty cols ${options.columns ?? 120} rows 40; echo "OWCTL_PGID=$$"; ${line}`;
  const child = spawn('script', ['-qfec', command, '/dev/null'], {
    cwd: options.cwd,
    env: { ...options.env, SHELL: '/bin/bash', TERM: 'xterm-256color' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let raw = '';
  child.stdout.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
  const output = () => raw.replace(/\r\n|\r/g, '\n').replace(ESCAPES, '');
  const done = new Promise<{ code: number; output: string }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), output: output() })),
  );
  const pgid = async () => {
    for (let delay = 25; ; delay = Math.min(delay * 2, 250)) {
      const match = /OWCTL_PGID=(\d+)/.exec(raw);
      if (match) return Number(match[1]);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  };
  return {
    output,
    type: (text) => void child.stdin.write(text),
    pgid,
    signalGroup: async (signal) => void process.kill(-(await pgid()), signal),
    done,
  };
}
