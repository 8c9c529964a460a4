/**
 * Run the CLI as this process and set its exit code. bin/owctl.js runs the bundled copy of this file
 * (dist/bundle/owctl.cjs, scripts/bundle.mjs) and calls start(); from source, run.ts does.
 */
import { main } from './main.ts';
import { startWith } from './start-process.ts';

export function start(): Promise<void> {
  return startWith(main);
}
