/**
 * Build step: compile the file schema's validators to dist/config/validators.cjs (see src/config/compile-validators.ts).
 * The compiler is TypeScript: esbuild bundles it (its packages left external) to a module beside the output, which is
 * imported and then removed. It sits in dist/config so that its `../../schemas/` URL and its require() of ajv resolve
 * as from src/config.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

const compiler = new URL(`../dist/config/compile-validators.${process.pid}.mjs`, import.meta.url);
await build({
  entryPoints: [new URL('../src/config/compile-validators.ts', import.meta.url).pathname],
  outfile: compiler.pathname,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
});
try {
  const { validatorSource } = await import(compiler.href);
  writeFileSync(new URL('../dist/config/validators.cjs', import.meta.url), validatorSource());
} finally {
  rmSync(compiler, { force: true });
}
