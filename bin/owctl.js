#!/usr/bin/env node
// The published entry point runs the bundled CLI (npm runs `prepare`, which builds dist/, on install).

// First of all, before anything else runs: signals that come while the bundle loads are kept, not left to the
// default handler (which would kill owctl with no word). The CLI takes them over with its own handlers and answers
// them as if they had come a moment later (exit 128 + the signal's number, with the interruption named). Only a
// signal during Node's own start-up, before this line, still meets the default handler; a shell then reports the
// same code (130, 143, 129).
const kept = [];
const keep = (signal) => kept.push(signal);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, keep);
globalThis[Symbol.for('owctl.signalsWhileLoading')] = { kept, keep };

// owctl's runs are short, so two V8 settings are changed before the CLI loads (measured on Node 20, BENCHMARKS.md):
// - no optimising compiler (TurboFan, tier 3): it compiled hot functions in background threads for code that was
//   done before it paid back. A plan of 1,000 sandboxes spends ~200 ms less CPU (~840 -> ~640 ms) at the same wall
//   time, a plan of 50 ~40 ms less.
// - the young generation stays at its first size instead of doubling as the heap fills (a short run never
//   benefits from a larger one): peak RSS of a plan of 1,000 sandboxes 112 -> 95 MiB, CPU within noise.
// Node warns that flags changed after start may behave unpredictably, so this is done only on the V8 it was
// measured with (Node 20's, 11.x); on any other Node, owctl runs with V8's defaults.
if (process.versions.v8.startsWith('11.')) (await import('node:v8')).setFlagsFromString('--max-opt=2 --semi-space-growth-factor=1');

await import('../dist/bundle/run.js');
