#!/usr/bin/env node
// The published entry point runs the bundled CLI (npm runs `prepare`, which builds dist/, on install).
import '../dist/bundle/run.js';
