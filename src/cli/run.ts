/** The process entry from source (tests run it through tsx): run the CLI. bin/owctl.js runs the bundle of start.ts. */
import { start } from './start.ts';

await start();
