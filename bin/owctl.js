#!/usr/bin/env node
// The published entry point runs the compiled CLI (npm runs `prepare`, which builds dist/, on install).
import '../dist/cli/run.js';
