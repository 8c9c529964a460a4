/**
 * Build step: compile the file schema's validators to dist/config/validators.cjs (see src/config/compile-validators.ts).
 * The compiler is TypeScript: esbuild bundles it (its packages left external) to a module beside the output, which is
 * imported and then removed. It sits in dist/config so that its `../../schemas/` URL and its require() of ajv resolve
 * as from src/config. The output is one self-contained module: ajv's run-time helpers are bundled into it.
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
  // ajv's standalone code require()s a few of ajv's run-time helpers (ucs2length for string lengths): bundled in
  // here, so that a run neither resolves them in node_modules nor compiles them without the code cache.
  const bundled = await build({
    stdin: { contents: validatorSource(), resolveDir: new URL('..', import.meta.url).pathname, sourcefile: 'validators.cjs', loader: 'js' },
    bundle: true,
    write: false,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    logLevel: 'warning',
  });
  writeFileSync(new URL('../dist/config/validators.cjs', import.meta.url), bundled.outputFiles[0].text);
} finally {
  rmSync(compiler, { force: true });
}
