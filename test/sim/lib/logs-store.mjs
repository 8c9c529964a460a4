// Per-sandbox logs under MSB_HOME/sandboxes/NAME: output.log (the workload's raw stdout+stderr, written by the
// workload process itself), system.jsonl (lifecycle entries the simulator writes, msb's JSON Lines shape) and
// boot-error.json (the latest failed boot).
import { appendFileSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { bootErrorFile, outputLog, sandboxDir, systemLog } from './home.mjs';
import { logTime } from './time.mjs';

export function appendSystem(home, name, text, source = 'system') {
  mkdirSync(sandboxDir(home, name), { recursive: true });
  const entry = { d: `${text}\n`, e: null, id: null, s: source, t: logTime() };
  appendFileSync(systemLog(home, name), `${JSON.stringify(entry)}\n`);
}

/**
 * The record of the latest failed boot (msb keeps one `boot-error.json`): `msb logs --json` prints it first, the text
 * form renders it as an error block on stderr. `hints` are the lines shown under `failed to start "NAME"`.
 */
export function writeBootError(home, name, failure, hints) {
  mkdirSync(sandboxDir(home, name), { recursive: true });
  const t = logTime();
  writeFileSync(bootErrorFile(home, name), JSON.stringify({ t, stage: failure.stage, errno: failure.errno, message: failure.message, hints }));
}

export function clearBootError(home, name) {
  rmSync(bootErrorFile(home, name), { force: true });
}

/** The latest boot error, or null. */
export function readBootError(home, name) {
  try {
    return JSON.parse(readFileSync(bootErrorFile(home, name), 'utf8'));
  } catch {
    return null;
  }
}

/** Entries by file: `system` (lifecycle, boot errors) and `output` (workload lines, tagged `stdout`: the workload's
 * stdout and stderr share one file). Output lines carry the file's mtime as their time. */
export function readEntries(home, name) {
  const system = [];
  const output = [];
  try {
    for (const line of readFileSync(systemLog(home, name), 'utf8').split('\n')) if (line) system.push(JSON.parse(line));
  } catch {
    // no system entries yet
  }
  try {
    const path = outputLog(home, name);
    const t = logTime(statSync(path).mtimeMs);
    const lines = readFileSync(path, 'utf8').split('\n');
    lines.pop(); // the text after the last newline is an unfinished line
    for (const line of lines) output.push({ d: `${line}\n`, e: null, id: 1, s: 'stdout', t });
  } catch {
    // no workload output yet
  }
  return { system, output };
}

/** Both kinds merged, oldest first. */
export function mergedEntries({ system, output }) {
  return [...system, ...output].sort((a, b) => (a.t < b.t ? -1 : a.t > b.t ? 1 : 0));
}
