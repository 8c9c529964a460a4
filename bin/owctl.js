#!/usr/bin/env node
// The published entry point runs the compiled CLI (npm runs `prepare`, which builds dist/, on install).
import { main } from '../dist/cli/main.js';

process.exitCode = await main(process.argv);
