// `msb logs NAME [--json] [--tail N] [--source …] [--follow]`: the workload's output (as source `stdout`) and the
// simulator's lifecycle entries (source `system`; boot errors as `boot-error` in JSON, like msb).
import { parseArgs } from './args.mjs';
import { invalidValue, unsupported } from './errors.mjs';
import { msbHome } from './home.mjs';
import { mergedEntries, readBootError, readEntries } from './logs-store.mjs';
import { UP, getSandbox } from './sandboxes.mjs';
import { snapshot } from './state.mjs';
import { sleep } from './time.mjs';
import { usage } from './output.mjs';

const SOURCES = ['stdout', 'stderr', 'output', 'system', 'all'];
const SPEC = {
  name: 'logs',
  usage: 'msb logs [OPTIONS] <NAME>',
  options: [
    { long: 'tail', value: 'TAIL', type: 'u64' },
    { long: 'since', value: 'SINCE' },
    { long: 'until', value: 'UNTIL' },
    { long: 'follow', short: 'f' },
    { long: 'timestamps' },
    { long: 'source', value: 'SOURCE', multiple: true },
    { long: 'grep', value: 'GREP' },
    { long: 'json' },
    { long: 'color', value: 'COLOR', possible: ['auto', 'always', 'never'] },
    { long: 'no-color' },
    { long: 'show-id' },
    { long: 'color-sessions' },
  ],
  positionals: [{ name: 'NAME', required: true }],
};

export async function logs(argv, env) {
  const { opts, pos, help } = parseArgs(argv, SPEC);
  if (help) return usage(SPEC);
  if (opts.since !== undefined || opts.until !== undefined) throw unsupported('logs --since/--until');
  const sources = new Set();
  for (const value of (opts.source ?? ['stdout,stderr']).flatMap((text) => text.split(','))) {
    if (!SOURCES.includes(value)) throw invalidValue(value, '--source <SOURCE>', '', SOURCES);
    if (value === 'all') SOURCES.forEach((s) => sources.add(s));
    else sources.add(value);
  }
  const home = msbHome(env);
  const name = pos.NAME;
  getSandbox(snapshot(home), name);
  const grep = opts.grep === undefined ? null : new RegExp(opts.grep);
  const wanted = (entry) => sources.has(entry.s) && (grep === null || grep.test(entry.d));
  const print = (entry) => {
    if (opts.json) process.stdout.write(`${JSON.stringify(entry)}\n`);
    else process.stdout.write(`${opts.timestamps ? `${entry.t} ` : ''}${entry.d}`);
  };
  const bootError = readBootError(home, name);
  if (bootError !== null && opts.json) {
    const { t, stage, errno, message } = bootError;
    process.stdout.write(`${JSON.stringify({ d: JSON.stringify({ t, stage, errno, message }), s: 'boot-error', t })}\n`);
  } else if (bootError !== null) {
    const lines = [`error: failed to start ${JSON.stringify(name)}`, ...bootError.hints.map((hint) => `  → ${hint}`)];
    process.stderr.write(`${lines.join('\n')}\n\n`);
  }
  const first = readEntries(home, name);
  let entries = mergedEntries(first).filter(wanted);
  if (opts.tail !== undefined) entries = entries.slice(Math.max(0, entries.length - opts.tail));
  entries.forEach(print);
  if (!opts.follow) return 0;
  const seen = { system: first.system.length, output: first.output.length };
  process.on('SIGTERM', () => process.exit(0));
  for (;;) {
    await sleep(200);
    const now = readEntries(home, name);
    const fresh = { system: now.system.slice(seen.system), output: now.output.slice(seen.output) };
    mergedEntries(fresh).filter(wanted).forEach(print);
    seen.system = now.system.length;
    seen.output = now.output.length;
    const record = snapshot(home).sandboxes[name];
    if (!record || !UP.has(record.status)) return 0;
  }
}
