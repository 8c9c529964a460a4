/**
 * Build step: the CLI as one ES module plus a chunk per lazily loaded command (dist/bundle/), from the compiled
 * dist/. Loading ~50 small modules costs a plan about 25 ms of start-up (BENCHMARKS.md); dependencies stay
 * external, resolved from node_modules as usual. bin/owctl.js runs dist/bundle/run.js.
 */
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

const outdir = new URL('../dist/bundle', import.meta.url).pathname;
rmSync(outdir, { recursive: true, force: true }); // chunk names carry hashes: no stale chunk may stay behind
await build({
  entryPoints: [new URL('../dist/cli/run.js', import.meta.url).pathname],
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
});
