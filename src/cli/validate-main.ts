/**
 * `owctl validate` in its plain forms, `owctl [-f FILE | --file FILE] validate [--json]`, parsed without commander:
 * bin/owctl.js runs the script built from this file (dist/bundle/validate.cjs, scripts/bundle.mjs) for exactly those
 * arguments and the whole CLI for any other. Building commander's program of every verb and parsing with it was
 * ~15 % of a validate, and the whole CLI's script ~4 times as much code to read and load from the cache
 * (BENCHMARKS.md, start-up). The verb then runs as main.ts runs it (run-verb.ts, the same command):
 * test/integration/bin-validate.test.ts compares the two on the same inputs.
 */
import { processIO, type CommandIO } from '../commands/io.ts';
import type { Interrupts } from '../commands/interrupt.ts';
import { directOutput, type ProcessOutput } from '../commands/process-output.ts';
import { validateCommand } from '../commands/validate.ts';
import { EXIT } from '../errors.ts';
import type { GlobalOptions } from './run-command.ts';
import { runVerb } from './run-verb.ts';
import { startWith } from './start-process.ts';

/** A pipe, a socket or a file is written without Node's stream objects here: no library of this script writes there. */
export function start(): Promise<void> {
  return startWith(validateMain, directOutput());
}

/** `argv`: node, the script, then one of the plain forms above (bin/owctl.js checks that before choosing this CLI). */
export async function validateMain(argv: string[], io?: CommandIO, interrupts?: Interrupts, output?: ProcessOutput): Promise<number> {
  const args = argv.slice(2);
  const named = args[0] === 'validate' ? undefined : args[1];
  const json = args[args.length - 1] === '--json';
  // As commander's `-f` with its default and OWCTL_FILE (main.ts): a file named is never searched for.
  const file = named ?? (Object.hasOwn(process.env, 'OWCTL_FILE') ? process.env.OWCTL_FILE! : 'openwork.yaml');
  const given: GlobalOptions = { file, msb: undefined, color: true };
  const searched = named === undefined && !Object.hasOwn(process.env, 'OWCTL_FILE');
  let code: number = EXIT.ok;
  const wiring = {
    setExit: (value: number) => void (code = value),
    ioFor: (global: GlobalOptions) => io ?? processIO({ noColor: !global.color, interrupts, output }),
  };
  await runVerb({ name: 'validate', verb: 'validate', args: [], searched }, { json }, given, wiring, (o, g, commandIO) => validateCommand({ file: g.file, json: o.json }, commandIO));
  return code;
}
