/**
 * Compiles test files for npm test: each one bundled by esbuild (its own modules and src/ inlined, packages left to
 * node_modules) into one .mjs that plain `node` runs, so a test file's process skips tsx's loader thread and its
 * per-module hooks. A test file still runs by hand with `node --import tsx --test FILE`; this is npm test's shortcut.
 *
 * Each module's `import.meta.url`, `.dirname` and `.filename` are rewritten to its source file's (tests and helpers
 * find fixtures and scripts relative to themselves), and `import.meta.resolve` resolves relative specifiers from the
 * source file. Source maps are written beside the bundles but not loaded at run time (`--enable-source-maps` would
 * parse them in every process): the reporter reads them when a test fails, to show the .ts lines.
 *
 * A file that cannot run bundled (it imports TypeScript by a computed path) runs through a stub that registers tsx
 * and imports the .ts file, as before.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';

/** Files that stay on tsx, and why. */
export const ON_TSX = new Map([
  ['test/plan/golden.test.ts', 'imports each fixture case.ts by a computed path'],
  ['test/views/plan-markdown.test.ts', 'imports each fixture case.ts by a computed path'],
]);

/** Per-module `import.meta`: the source file's own values, through esbuild's (syntax-aware) define. */
function importMetaPlugin() {
  return {
    name: 'source-import-meta',
    setup(build) {
      build.onLoad({ filter: /\.(ts|mts|js|mjs)$/ }, async ({ path }) => {
        const source = readFileSync(path, 'utf8');
        if (!source.includes('import.meta')) return undefined;
        const url = pathToFileURL(path).href;
        const resolver = `__sourceImportMetaResolve`;
        const result = await esbuild.transform(source, {
          loader: path.endsWith('ts') ? 'ts' : 'js',
          format: 'esm',
          sourcefile: path,
          sourcemap: 'inline',
          sourcesContent: false,
          define: {
            'import.meta.url': JSON.stringify(url),
            'import.meta.filename': JSON.stringify(path),
            'import.meta.dirname': JSON.stringify(dirname(path)),
            'import.meta.resolve': resolver,
          },
        });
        // Appended (after the source map comment's line numbers are fixed): a hoisted function, so every line above
        // may call it. Bare specifiers resolve from the bundle, which lies in the same checkout as the source.
        const helper = `\nfunction ${resolver}(specifier) { return /^\\.{0,2}\\//.test(specifier) ? new URL(specifier, ${JSON.stringify(url)}).href : import.meta.resolve(specifier); }\n`;
        return { contents: result.code + helper, loader: 'js', resolveDir: dirname(path) };
      });
    },
  };
}

/**
 * Builds `files` (paths relative to `root`; .ts files only, others run as they are) into `outdir`, the n-th file
 * under `outdir/NNN/` so that node --test, which sorts the files it is given, starts them in the order given.
 * Returns the paths to run, in that order.
 */
export async function buildTests(root, files, outdir) {
  const compiled = (file, index) => join(outdir, String(index).padStart(3, '0'), file.replace(/\.ts$/, '.mjs'));
  const out = files.map((file, index) => (file.endsWith('.ts') ? compiled(file, index) : join(root, file)));
  const bundled = [];
  for (const [index, file] of files.entries()) {
    if (!file.endsWith('.ts')) continue;
    if (!ON_TSX.has(file)) {
      bundled.push({ in: file, out: relative(outdir, out[index]).replace(/\.mjs$/, '') });
      continue;
    }
    mkdirSync(dirname(out[index]), { recursive: true });
    writeFileSync(out[index], `import 'tsx';\nawait import(${JSON.stringify(pathToFileURL(join(root, file)).href)});\n`);
  }
  if (bundled.length > 0) {
    await esbuild.build({
      absWorkingDir: root,
      entryPoints: bundled,
      outdir,
      outExtension: { '.js': '.mjs' },
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      packages: 'external',
      // Modules shared by test files go to shared chunks: a tenth of the build's time and output of one bundle each.
      splitting: true,
      chunkNames: 'chunks/[name]-[hash]',
      sourcemap: 'linked',
      sourcesContent: false,
      logLevel: 'warning',
      plugins: [importMetaPlugin()],
    });
  }
  return out;
}

