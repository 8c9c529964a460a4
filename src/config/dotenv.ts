/**
 * The `.env` file beside the YAML, read the way docker compose reads it: `KEY=VALUE` lines, `export KEY=VALUE`,
 * `#` comments (inline after whitespace when unquoted), 'single quotes' taken literally, "double quotes" with
 * \n \t \r \\ \" \$ escapes; both quote styles may span lines. Unquoted and double-quoted values interpolate
 * ${VAR} from the process environment, then from earlier lines. A bare `KEY` line is ignored.
 */
import { interpolate, type Lookup } from './interpolate.ts';

export interface DotenvProblem {
  message: string;
  hint?: string;
  line: number;
  col: number;
}

export interface DotenvResult {
  vars: Record<string, string>;
  problems: DotenvProblem[];
}

const KEY = /[A-Za-z_][A-Za-z0-9_.-]*/y;
const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '\\': '\\', '"': '"', $: '$$' };

export function parseDotenv(text: string, env: Record<string, string | undefined>): DotenvResult {
  const vars: Record<string, string> = {};
  const problems: DotenvProblem[] = [];
  const lookup: Lookup = (name) => env[name] ?? (Object.hasOwn(vars, name) ? vars[name] : undefined);
  const at = positions(text);
  let index = 0;
  const fail = (message: string, offset: number, hint = 'write KEY=VALUE lines; quote values that hold spaces or #'): void => {
    problems.push({ message, hint, ...at(offset) });
  };
  while (index < text.length) {
    index = skipBlanks(text, index);
    const lineEnd = endOfLine(text, index);
    if (index >= lineEnd || text[index] === '#') {
      index = lineEnd + 1;
      continue;
    }
    if (text.startsWith('export ', index)) index = skipBlanks(text, index + 7);
    KEY.lastIndex = index;
    const key = KEY.exec(text)?.[0];
    const afterKey = skipBlanks(text, index + (key?.length ?? 0));
    if (key === undefined || (text[afterKey] !== '=' && afterKey < lineEnd && text[afterKey] !== '#')) {
      fail('expected KEY=VALUE', index);
      index = lineEnd + 1;
      continue;
    }
    if (text[afterKey] !== '=') {
      index = lineEnd + 1;
      continue;
    }
    const start = skipBlanks(text, afterKey + 1);
    const parsed = readValue(text, start);
    if ('error' in parsed) {
      fail(parsed.error, start, 'close the quote');
      break;
    }
    const rest = skipBlanks(text, parsed.end);
    const restEnd = endOfLine(text, rest);
    if (rest < restEnd && text[rest] !== '#') fail('unexpected text after the closing quote', rest);
    const value = parsed.interpolate ? expand(parsed.raw, lookup, (message, hint) => problems.push({ message, hint, ...at(start) })) : parsed.raw;
    Object.defineProperty(vars, key, { value, enumerable: true, writable: true, configurable: true });
    index = restEnd + 1;
  }
  return { vars, problems };
}

type Value = { raw: string; end: number; interpolate: boolean } | { error: string };

function readValue(text: string, start: number): Value {
  const quote = text[start];
  if (quote === "'") {
    const close = text.indexOf("'", start + 1);
    return close === -1 ? { error: 'unclosed single quote' } : { raw: text.slice(start + 1, close), end: close + 1, interpolate: false };
  }
  if (quote === '"') {
    let raw = '';
    for (let index = start + 1; index < text.length; index++) {
      const char = text[index]!;
      if (char === '"') return { raw, end: index + 1, interpolate: true };
      if (char === '\\' && index + 1 < text.length) {
        const next = text[++index]!;
        raw += ESCAPES[next] ?? `\\${next}`;
      } else {
        raw += char;
      }
    }
    return { error: 'unclosed double quote' };
  }
  const lineEnd = endOfLine(text, start);
  const comment = /\s#/.exec(text.slice(start, lineEnd));
  const raw = text.slice(start, comment ? start + comment.index : lineEnd).trimEnd();
  return { raw, end: start + raw.length, interpolate: true };
}

function expand(raw: string, lookup: Lookup, report: (message: string, hint?: string) => void): string {
  const result = interpolate(raw, lookup);
  for (const error of result.errors) report(error.message, error.hint);
  return result.value;
}

function skipBlanks(text: string, index: number): number {
  while (text[index] === ' ' || text[index] === '\t' || text[index] === '\r') index++;
  return index;
}

function endOfLine(text: string, index: number): number {
  const end = text.indexOf('\n', index);
  return end === -1 ? text.length : end;
}

/** Offset → 1-based line and column. */
function positions(text: string): (offset: number) => { line: number; col: number } {
  const starts = [0];
  for (let index = text.indexOf('\n'); index !== -1; index = text.indexOf('\n', index + 1)) starts.push(index + 1);
  return (offset) => {
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (starts[mid]! <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, col: offset - starts[low]! + 1 };
  };
}
