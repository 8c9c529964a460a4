/**
 * Build step: the whole CLI as one CommonJS script, dist/bundle/owctl.cjs, straight from src/*.ts: owctl's code and
 * its pure-JS dependencies (commander, js-yaml, yaml, execa, undici, listr2, diff), which stay lazy inside it:
 * esbuild wraps each module reached only through `await import()` in a function that runs when first asked for.
 * Only the microsandbox SDK (native binding, ES module) stays outside, loaded with import() when used. The
 * precompiled schema validators (dist/config/validators.cjs, built just before) are placed inside too, in place of
 * schema.ts's run-time require() of ../config/validators.cjs (src/config/schema.ts).
 *
 * Why one script: bin/owctl.js compiles it with vm.Script and V8's code cache (cachedData kept beside it), so a
 * run neither resolves ~70 modules nor parses and compiles them (BENCHMARKS.md, start-up). The script is kept
 * pure ASCII so that bin/owctl.js can read it as latin1 (a one-byte string, no UTF-8 decoding): esbuild escapes
 * non-ASCII characters in strings; those left (comments, regular expression literals) become \uXXXX escapes here,
 * which mean the same in both.
 *
 * import() of the SDK becomes a call of `__owctlImport`, a function bin/owctl.js passes in: on Node 20, a script
 * compiled from V8's code cache loses its import() callback ("A dynamic import callback was not specified").
 *
 * Node's own modules that only some commands use (child_process, net, crypto, …) are loaded when first used, not
 * when the script starts: `import { spawn } from 'node:child_process'` became `import_x = require(…)` with every use
 * written `import_x.spawn`, so that require() is replaced by an object that loads the module on its first property
 * read (__owctlLazy, defined at the top). `owctl validate` then loads none of them (BENCHMARKS.md).
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

const outdir = new URL('../dist/bundle', import.meta.url).pathname;
// Two scripts: the whole CLI, and `owctl validate`'s plain forms alone (src/cli/validate-main.ts; bin/owctl.js
// chooses): a quarter of the code, without commander.
const SCRIPTS = { owctl: 'start.ts', validate: 'validate-main.ts' };
rmSync(outdir, { recursive: true, force: true }); // no stale script or code cache may stay behind
await build({
  // esbuild strips the types itself (tsconfig.json's target and class-field semantics apply); the type-check is
  // `npm run typecheck`, run beside the suite by `npm test`, not part of the build.
  entryPoints: Object.entries(SCRIPTS).map(([out, entry]) => ({ in: new URL(`../src/cli/${entry}`, import.meta.url).pathname, out })),
  outdir,
  outExtension: { '.js': '.cjs' },
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  charset: 'ascii',
  // The SDK is an ES module with a native binding: loaded by import() at run time, as before.
  external: ['microsandbox', '@superradcompany/*'],
  // Keep `import()` as is (esbuild would turn it into require(), which cannot load an ES module on Node 20).
  supported: { 'dynamic-import': true },
  // `new URL('../../schemas/…', import.meta.url)`: the script is dist/bundle/owctl.cjs, two levels under the
  // package like src/config/*.ts, so relative URLs resolve the same. bin/owctl.js passes the script's URL.
  define: { 'import.meta.url': '__owctlUrl' },
  logLevel: 'warning',
});

const LAZY = ['assert', 'async_hooks', 'child_process', 'crypto', 'dgram', 'diagnostics_channel', 'dns', 'http', 'https', 'net', 'os', 'perf_hooks', 'querystring', 'readline', 'readline/promises', 'sqlite', 'stream/promises', 'timers/promises', 'tls', 'worker_threads', 'zlib'];
// Any name for these (commander's `childProcess = require('node:child_process')`); only esbuild's import_* for the
// rest (assert is called as a function, which a stand-in object cannot be).
const PLAIN = ['child_process', 'crypto', 'dgram', 'dns', 'http', 'https', 'net', 'os', 'perf_hooks', 'tls', 'zlib'];
const lazyRequire = new RegExp(`\\b(import_[\\w$]+) ?= ?require\\("(?:node:)?(${LAZY.join('|')})"\\)|\\b(var|let|const) ([\\w$]+) ?= ?require\\("(?:node:)?(${PLAIN.join('|')})"\\)`, 'g');
const LAZY_HELPER = `function __owctlLazy(id) {
  let loaded;
  const get = () => (loaded ??= require(id));
  return new Proxy({}, { get: (_, key) => get()[key], has: (_, key) => key in get(), ownKeys: () => Reflect.ownKeys(get()), getOwnPropertyDescriptor: (_, key) => { const d = Reflect.getOwnPropertyDescriptor(get(), key); return d && { ...d, configurable: true }; } });
}
`;
// The validators: schema.ts requires '../config/validators.cjs' (built by scripts/build-validators.mjs into dist/config).
const validatorsCall = /\brequire\d*\("\.\.\/config\/validators\.cjs"\)/g;
const validatorsSource = readFileSync(new URL('../dist/config/validators.cjs', import.meta.url), 'utf8');
for (const name of Object.keys(SCRIPTS)) finish(`${outdir}/${name}.cjs`);

/** esbuild's output → the script bin/owctl.js loads: lazy Node modules, the validators inside, pure ASCII. */
function finish(outfile) {
  let lazied = 0;
  let text = readFileSync(outfile, 'utf8')
    .replace(/(?<![\w$.])import\("/g, '__owctlImport("')
    .replace(lazyRequire, (_, name, id, keyword, plainName, plainId) => (lazied++, name === undefined ? `${keyword} ${plainName} = __owctlLazy("node:${plainId}")` : `${name} = __owctlLazy("node:${id}")`))
    .replace(/^"use strict";\n?/, `"use strict";\n${LAZY_HELPER}`);
  let withValidators = 0;
  text = text.replace(validatorsCall, () => (withValidators++, '__owctlValidators()'));
  if (withValidators !== 1) throw new Error(`bundle: expected one require of ../config/validators.cjs in esbuild's output, found ${withValidators}`);
  text += `\nfunction __owctlValidators() {\n  const module = { exports: {} };\n  (function (exports, module) {\n${validatorsSource}\n  })(module.exports, module);\n  return module.exports;\n}\n`;
  if (lazied === 0 || !text.includes('function __owctlLazy')) throw new Error('bundle: the lazy loading of node modules found nothing to change: check scripts/bundle.mjs against esbuild\'s output');
  const ascii = text.replace(/[^\x00-\x7f]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
  writeFileSync(outfile, ascii);
}
