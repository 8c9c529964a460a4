#!/usr/bin/env node
// The published entry point runs the bundled CLI (npm runs `prepare`, which builds dist/, on install).
// Signals that come while the bundle loads are kept, not left to the default handler (which would kill owctl with
// no word): the CLI takes them over with its own handlers and answers them as if they had come a moment later.
const kept = [];
const keep = (signal) => kept.push(signal);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, keep);
globalThis[Symbol.for('owctl.signalsWhileLoading')] = { kept, keep };
await import('../dist/bundle/run.js');
