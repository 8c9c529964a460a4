/**
 * `npm test`'s reporter (node --test-reporter): a dot per test while they run, then every failure in full with its
 * file and the output of the files that failed, the skipped tests grouped by reason, and one closing count of
 * passed, failed and skipped tests. Suites count only when they fail on their own (a hook), not for their tests.
 *
 * npm test runs the files compiled (scripts/build-tests.mjs): files are named by their source (test/….test.ts), and
 * a failure's stack lines are mapped back to the .ts lines through the source maps written beside the compiled
 * files (read only here, when a test failed, rather than by every test process).
 */
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { dirname, relative as relativePath, resolve } from 'node:path';

const WIDTH = 80;
// A compiled test file (.test-build/<run>/<order>/test/….test.mjs) and any compiled file's position in a stack line.
const COMPILED_TEST = /\/\.test-build\/[^/]+\/\d{3}\/(.+)\.mjs$/;
const COMPILED_POSITION = /(?:file:\/\/)?(\/[^\s()]*\/\.test-build\/[^\s():]+\.mjs):(\d+):(\d+)/;

export default async function* reporter(source) {
  const names = new Map(); // file → name per nesting level
  const failures = [];
  const skipped = new Map(); // reason → names
  const output = new Map(); // file → captured stdout/stderr lines
  const notes = [];
  const fileMs = new Map(); // file → the sum of its top-level tests' durations
  let passed = 0;
  let todo = 0;
  let column = 0;
  const mark = (char) => {
    column += 1;
    return column % WIDTH === 0 ? `${char}\n` : char;
  };
  const pathOf = (data) => {
    const levels = names.get(data.file) ?? [];
    return [...levels.slice(0, data.nesting), data.name].join(' › ');
  };

  for await (const { type, data } of source) {
    if (type === 'test:start') {
      const levels = names.get(data.file) ?? [];
      levels[data.nesting] = data.name;
      levels.length = data.nesting + 1;
      names.set(data.file, levels);
    } else if (type === 'test:pass' || type === 'test:fail') {
      if (data.nesting === 0 && data.file) fileMs.set(data.file, (fileMs.get(data.file) ?? 0) + (data.details?.duration_ms ?? 0));
    }
    if (type === 'test:pass') {
      if (data.details?.type === 'suite') continue;
      if (data.skip !== undefined && data.skip !== false) {
        const reason = typeof data.skip === 'string' ? data.skip : '(no reason given)';
        skipped.set(reason, [...(skipped.get(reason) ?? []), pathOf(data)]);
        yield mark('s');
      } else if (data.todo !== undefined && data.todo !== false) {
        todo += 1;
        yield mark('t');
      } else {
        passed += 1;
        yield mark('.');
      }
    } else if (type === 'test:fail') {
      const error = data.details?.error;
      // A suite "fails" when its tests do: those are reported themselves.
      if (data.details?.type === 'suite' && error?.failureType === 'subtestsFailed') continue;
      failures.push({ file: data.file, path: pathOf(data), error });
      yield mark('F');
    } else if (type === 'test:stdout' || type === 'test:stderr') {
      const text = String(data.message ?? '');
      for (const line of text.split('\n')) {
        if (line.startsWith('# ')) notes.push(line.slice(2));
        else if (line.trim() !== '') {
          if (!output.has(data.file)) output.set(data.file, []);
          output.get(data.file).push(line);
        }
      }
    }
  }

  const lines = ['', ''];
  for (const [index, failure] of failures.entries()) {
    lines.push(`✗ ${index + 1}) ${failure.path}`, `  ${relative(failure.file)}`);
    lines.push(...describe(failure.error).map((line) => `    ${line}`), '');
  }
  const failedFiles = [...new Set(failures.map((f) => f.file))].filter((file) => output.has(file));
  for (const file of failedFiles) {
    const captured = output.get(file);
    lines.push(`output of ${relative(file)} (last ${Math.min(40, captured.length)} lines):`, ...captured.slice(-40).map((l) => `  | ${l}`), '');
  }
  if (notes.length > 0) lines.push('notes:', ...notes.map((n) => `  ${n}`), '');
  const slowest = [...fileMs].sort((a, b) => b[1] - a[1]).slice(0, 8);
  if (slowest.length > 1) lines.push('slowest files (their tests\' time):', ...slowest.map(([file, ms]) => `  ${(ms / 1000).toFixed(1).padStart(6)} s  ${relative(file)}`), '');
  for (const [reason, tests] of skipped) lines.push(`skipped (${reason}):`, ...tests.map((t) => `  - ${t}`), '');
  const count = [`${passed} passed`, `${failures.length} failed`, `${[...skipped.values()].flat().length} skipped`, ...(todo > 0 ? [`${todo} todo`] : [])].join(', ');
  lines.push(failures.length > 0 ? `FAILED: ${count}` : `ok: ${count}`, '');
  yield lines.join('\n');
}

function relative(file) {
  if (!file) return '(unknown file)';
  const compiled = COMPILED_TEST.exec(file);
  return compiled ? `${compiled[1]}.ts` : file.replace(`${process.cwd()}/`, '');
}

const maps = new Map(); // compiled file → its SourceMap, or null when it has none

/** A stack line's position in a compiled file, as its source's (relative path:line:column); others as they are. */
function original(line) {
  return line.replace(COMPILED_POSITION, (whole, file, line, column) => {
    if (!maps.has(file)) {
      try {
        maps.set(file, new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8'))));
      } catch {
        maps.set(file, null);
      }
    }
    const entry = maps.get(file)?.findEntry(Number(line) - 1, Number(column) - 1);
    if (!entry?.originalSource) return whole;
    const source = resolve(dirname(file), entry.originalSource.replace(/^file:\/\//, ''));
    return `${relativePath(process.cwd(), source)}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
  });
}

function describe(error) {
  if (error === undefined || error === null) return ['(no error)'];
  const cause = error.cause ?? error;
  const message = String(cause.message ?? cause).split('\n');
  const stack = String(cause.stack ?? '')
    .split('\n')
    .filter((line) => /^\s+at /.test(line) && !line.includes('node:internal'))
    .slice(0, 5)
    .map((line) => original(line.trim()));
  return [...message, ...stack];
}
