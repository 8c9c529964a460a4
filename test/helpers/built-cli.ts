/**
 * The program users run, bin/owctl.js over dist/ (built by `npm run build`; `npm test` builds it before the suite,
 * `node scripts/build-if-stale.mjs` when it is stale). Tests that start owctl as its own process run this one: it
 * starts in a fraction of the CPU of src/ through tsx (~0.3 s against ~1.8 s), and it is what a terminal, a shell
 * or a signal meets in real use. A dist/ older than what it is built from would test old code without a word, so it is refused.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');
export const OWCTL_BIN = join(ROOT, 'bin', 'owctl.js');
const BUNDLE = join(ROOT, 'dist', 'bundle', 'owctl.cjs');

function newest(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((entry) => newest(join(path, entry))));
}

let checked = false;

/** Throws, saying how to build it, when dist/ is missing or older than something under src/. */
export function assertBuilt(): void {
  if (checked) return;
  if (!existsSync(BUNDLE)) throw new Error('dist/bundle/owctl.cjs is missing: run `node scripts/build-if-stale.mjs` (or `npm run build`)');
  if (statSync(BUNDLE).mtimeMs < Math.max(newest(join(ROOT, 'src')), newest(join(ROOT, 'schemas')))) {
    throw new Error('dist/ is older than src/ or schemas/: run `node scripts/build-if-stale.mjs` (or `npm run build`)');
  }
  checked = true;
}

/** argv for a spawn of the built owctl with `args` (checks dist/ first). */
export function builtOwctl(args: string[]): string[] {
  assertBuilt();
  return [process.execPath, OWCTL_BIN, ...args];
}

/** The option that makes test/e2e/harness.ts's `spawnOwctl` start the built owctl (checks dist/ first). */
export function built(): { bin: true } {
  assertBuilt();
  return { bin: true };
}
