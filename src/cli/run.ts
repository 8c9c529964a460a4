/** The process entry: run the CLI and exit with its code. bin/owctl.js loads the compiled copy of this file. */
import { main } from './main.ts';

process.exitCode = await main(process.argv);
