#!/usr/bin/env node
// The published entry point runs the bundled CLI (npm runs `prepare`, which builds dist/, on install).
import { setFlagsFromString } from 'node:v8';

// owctl's runs are short: V8's optimising compiler (TurboFan) would compile hot functions in background threads for
// code that is done before it pays back. Without it, a plan of 1,000 sandboxes spends ~200 ms less CPU (~840 → ~640)
// at the same wall time, and a plan of 50 ~40 ms less (BENCHMARKS.md). Tier 2 keeps the interpreter, the baseline
// compiler and, on Node versions that enable it, Maglev. `--max-opt` is known to every V8 of Node 20 and later.

// Signals that come while the bundle loads are kept, not left to the default handler (which would kill owctl with
// no word): the CLI takes them over with its own handlers and answers them as if they had come a moment later.
const kept = [];
const keep = (signal) => kept.push(signal);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, keep);
globalThis[Symbol.for('owctl.signalsWhileLoading')] = { kept, keep };
await import('../dist/bundle/run.js');
