#!/usr/bin/env node
// The published entry point runs the bundled CLI (npm runs `prepare`, which builds dist/, on install). It is a
// CommonJS script (bin/package.json): Node starts it without its ES module loader, which costs ~9 ms of CPU.
'use strict';

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
if (process.versions.v8.startsWith('11.')) require('node:v8').setFlagsFromString('--max-opt=2 --semi-space-growth-factor=1');

load();

/**
 * Runs dist/bundle/owctl.cjs, or validate.cjs for validate's plain forms (scripts/bundle.mjs), compiled with V8's code cache: the bytecode of the functions a
 * run of the same command used last time, so that they are neither parsed nor compiled again (BENCHMARKS.md).
 * The cache is kept beside the script, one file per command, named after the script's size and time so that a
 * rebuilt script never meets an old cache; V8 itself refuses one made by another V8 or with other flags
 * (`cachedDataRejected`). A run that had no usable cache and succeeded writes one as it exits (to a temporary
 * file, then renamed: runs side by side never read half a file); where the folder cannot be written, owctl just
 * runs without one.
 */
function load() {
  const fs = require('node:fs');
  const path = require('node:path');
  const vm = require('node:vm');
  const dir = path.join(__dirname, '..', 'dist', 'bundle');
  const args = process.argv.slice(2);
  // `owctl validate`'s plain forms have a script of their own, a quarter of the whole CLI (src/cli/validate-main.ts).
  const file = path.join(dir, plainValidate(args) ? 'validate.cjs' : 'owctl.cjs');
  const fd = fs.openSync(file, 'r');
  const stat = fs.fstatSync(fd);
  const source = fs.readFileSync(fd, 'latin1'); // the build keeps it pure ASCII
  fs.closeSync(fd);
  const cacheFile = `${file}.${commandOf(args)}-${stat.size}-${Math.trunc(stat.mtimeMs)}.cache`;
  let cachedData;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname, __owctlUrl, __owctlImport) {${source}\n})`, { filename: file, cachedData });
  if (cachedData === undefined || script.cachedDataRejected === true) {
    process.once('exit', (code) => {
      if (code !== 0) return;
      const temporary = `${cacheFile}.${process.pid}`;
      try {
        fs.writeFileSync(temporary, script.createCachedData());
        fs.renameSync(temporary, cacheFile);
      } catch {
        fs.rmSync(temporary, { force: true });
      }
    });
  }
  const module = { exports: {} };
  // The script's import() calls (the microsandbox SDK, an ES module) are made from here: the same package, so the
  // same node_modules (scripts/bundle.mjs says why they are not left to the script).
  const importer = (specifier) => import(specifier);
  script.runInThisContext()(module.exports, require('node:module').createRequire(file), module, file, dir, require('node:url').pathToFileURL(file).href, importer);
  return module.exports.start();
}

/** The command a run names (its first word that is not an option or an option's value): the cache it uses. */
function commandOf(args) {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '-f' || arg === '--file' || arg === '--msb') i++;
    else if (!arg.startsWith('-')) return /^[a-z][a-z-]{0,30}$/.test(arg) ? arg : 'other';
  }
  return 'none';
}

/**
 * `owctl [-f FILE | --file FILE] validate [--json]`, nothing else (any other form, `--help` included, runs the whole
 * CLI): the forms src/cli/validate-main.ts parses. A FILE that is empty or starts with '-' is left to commander.
 */
function plainValidate(args) {
  const named = (args[0] === '-f' || args[0] === '--file') && args.length > 1 && args[1] !== '' && !args[1].startsWith('-');
  const verb = named ? 2 : 0;
  return args[verb] === 'validate' && (args.length === verb + 1 || (args.length === verb + 2 && args[verb + 1] === '--json'));
}
