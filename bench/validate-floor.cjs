'use strict';
/**
 * The floor under `owctl validate` (bench/startup.ts): the least a program can do and still say whether a file is
 * valid YAML. It reads the file, parses it with js-yaml's `load` and prints one line, loaded the way bin/owctl.js
 * loads owctl: a CommonJS script with the same V8 flags, js-yaml compiled from V8's code cache (kept in CACHE_DIR).
 * No schema, no checks, no interpolation: everything owctl's validate does on top of this is its own.
 *
 *   node bench/validate-floor.cjs FILE CACHE_DIR
 */
if (process.versions.v8.startsWith('11.')) require('node:v8').setFlagsFromString('--max-opt=2 --semi-space-growth-factor=1');

const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');

const [file, cacheDir] = process.argv.slice(2);
// js-yaml's CommonJS build, one file (the package's main): found by path, as the bundle needs no resolution either.
const library = path.join(__dirname, '..', 'node_modules', 'js-yaml', 'dist', 'js-yaml.cjs.js');
const cacheFile = path.join(cacheDir, 'js-yaml.cache');
let cachedData;
try {
  cachedData = fs.readFileSync(cacheFile);
} catch {
  cachedData = undefined;
}
const script = new vm.Script(`(function (exports, require, module) {${fs.readFileSync(library, 'utf8')}\n})`, { filename: library, cachedData });
if (cachedData === undefined || script.cachedDataRejected === true) process.once('exit', () => fs.writeFileSync(cacheFile, script.createCachedData()));
const yaml = { exports: {} };
script.runInThisContext()(yaml.exports, require, yaml);

const data = yaml.exports.load(fs.readFileSync(file, 'utf8'));
process.stdout.write(`${file}: valid YAML (${Object.keys(data.sandboxes).length} sandboxes)\n`);
