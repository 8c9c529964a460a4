/**
 * YAML text → yaml Document with source ranges, guarded against hostile input: nesting depth is checked before
 * composing, duplicate keys, unknown tags and multiple documents are errors, and every syntax error is reported
 * at yaml's own line and column.
 */
import { isAlias, isMap, isNode, isScalar, LineCounter, parseDocument, visit, type Document, type YAMLError } from 'yaml';
import { MAX_ALIASES, MAX_DEPTH } from './defaults.ts';
import { closest } from './did-you-mean.ts';
import type { Issue } from './issue.ts';
import { tooDeepAt } from './yaml-depth.ts';

const SYNTAX_HINT = 'check the indentation, the closing ] or } and the quotes on this line or the one before it';
const DUPLICATE_HINT = 'each key may appear once in a mapping; remove or merge the repeats';

export interface ParsedYaml {
  doc: Document.Parsed;
  lineCounter: LineCounter;
}

/**
 * `parsed` when the text is valid YAML. With syntax errors, `partial` is what yaml recovered around them and
 * `errorOffsets` where they are, so the rest of the file can still be checked (see load-positioned.ts).
 */
export function parseYaml(text: string, file: string): { parsed?: ParsedYaml; partial?: ParsedYaml; errorOffsets?: number[]; issues: Issue[] } {
  const lineCounter = new LineCounter();
  const deep = tooDeepAt(text, MAX_DEPTH);
  if (deep !== undefined) {
    const { line, col } = positionOf(text, deep);
    const message = `nested too deeply (more than ${MAX_DEPTH} levels)`;
    return { issues: [{ path: [], message, hint: 'an openwork.yaml is at most a few levels deep', at: { file, line, col } }] };
  }
  const doc = parseDocument(text, {
    lineCounter,
    prettyErrors: true,
    strict: true,
    // yaml's own check compares every key with every other (70,000 keys took a minute); duplicateKeys() is linear.
    uniqueKeys: false,
    stringKeys: true,
    version: '1.2',
  });
  const errors = [...doc.errors, ...doc.warnings];
  const issues = firstPerLine(errors.map((error) => toIssue(error, text, file)));
  if (issues.length > 0) return { partial: { doc, lineCounter }, errorOffsets: errors.map((error) => error.pos[0]), issues };
  issues.push(...structuralProblems(doc, lineCounter, file));
  return issues.length > 0 ? { issues } : { parsed: { doc, lineCounter }, issues };
}

/**
 * Repeated keys in any mapping, and aliases without an anchor before them. Aliases are not followed: what they
 * point at is checked where it is defined.
 */
function structuralProblems(doc: Document, lineCounter: LineCounter, file: string): Issue[] {
  const issues: Issue[] = [];
  const at = (offset: number | undefined) => ({ file, ...lineCounter.linePos(offset ?? 0) });
  // Anchors in document order; Alias.resolve() would walk the whole document once per alias.
  const anchors = new Set<string>();
  let aliases = 0;
  let unknown = 0;
  visit(doc, (_, node, ancestors) => {
    if (isAlias(node)) {
      if (ancestors.some((ancestor) => isNode(ancestor) && ancestor.anchor === node.source)) {
        issues.push({ path: [], message: `alias *${node.source} is inside its own anchor &${node.source}`, hint: 'a file cannot contain itself', at: at(node.range?.[0]) });
      }
      // yaml's toJS slows down with every alias (10,000 took seconds); real files use a handful.
      if (++aliases > MAX_ALIASES) {
        issues.unshift({ path: [], message: `more than ${MAX_ALIASES} aliases (*name)`, hint: 'use defaults instead of anchors', at: at(node.range?.[0]) });
        return visit.BREAK;
      }
      if (!anchors.has(node.source)) {
        // Suggestions compare with every anchor: a few are helpful, thousands would be slow.
        const suggestion = ++unknown <= 5 ? closest(node.source, anchors) : undefined;
        const hint = suggestion ? `did you mean *${suggestion}?` : 'define the anchor (&name) before using it (*name)';
        issues.push({ path: [], message: `unknown alias *${node.source}`, hint, at: at(node.range?.[0]) });
      }
      return undefined;
    }
    if (isNode(node) && node.anchor) anchors.add(node.anchor);
    if (!isMap(node)) return undefined;
    const seen = new Set<string>();
    for (const pair of node.items) {
      if (!isScalar(pair.key)) continue;
      const key = String(pair.key.value);
      if (!seen.has(key)) seen.add(key);
      else issues.push({ path: [], message: `duplicate key ${JSON.stringify(key)}`, hint: DUPLICATE_HINT, at: at(pair.key.range?.[0]) });
    }
    return undefined;
  });
  return issues;
}

/** yaml reports one slip as a cascade of errors on the same line; the first says the most. */
function firstPerLine(issues: Issue[]): Issue[] {
  const lines = new Set<number>();
  return issues.filter((issue) => {
    const line = issue.at?.line ?? 0;
    if (lines.has(line)) return false;
    lines.add(line);
    return true;
  });
}

function toIssue(error: YAMLError, text: string, file: string): Issue {
  const { line, col } = error.linePos?.[0] ?? positionOf(text, error.pos[0]);
  const { message, hint } = explain(error);
  const offset = error.pos[0];
  const sourceLine = text.slice(text.lastIndexOf('\n', offset - 1) + 1, text.indexOf('\n', offset) === -1 ? text.length : text.indexOf('\n', offset));
  // `{ key: ${VAR} }`: braces end a plain scalar inside flow collections, a slip every compose user makes once.
  const flowHint = hint === undefined && /[[{].*\$\{/.test(sourceLine) ? 'inside { } or [ ], quote values that use ${VAR}: "${VAR}"' : hint;
  return { path: [], message, hint: flowHint ?? SYNTAX_HINT, at: { file, line, col } };
}

/** yaml's message without its appended position and source excerpt, reworded for the common cases. */
function explain(error: YAMLError): { message: string; hint?: string } {
  const plain = error.message.split(/ at line \d+, column \d+/)[0]!.trim();
  switch (error.code) {
    case 'MULTIPLE_DOCS':
      return { message: 'the file holds more than one YAML document', hint: 'remove the extra "---" line' };
    case 'TAG_RESOLVE_FAILED':
      return { message: plain.replace(/^Unresolved tag:/, 'unknown tag').replace('tag:yaml.org,2002:', '!!'), hint: 'owctl reads plain YAML: remove the tag' };
    case 'BAD_ALIAS':
      return { message: plain, hint: 'define the anchor (&name) before using it (*name)' };
    default:
      return { message: `invalid YAML: ${lowerFirst(plain)}` };
  }
}

function lowerFirst(text: string): string {
  return text.length > 1 && /^[A-Z][a-z]/.test(text) ? text[0]!.toLowerCase() + text.slice(1) : text;
}

/** 1-based line and column of a character offset. */
export function positionOf(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, offset);
  const lineStart = before.lastIndexOf('\n') + 1;
  return { line: before.split('\n').length, col: offset - lineStart + 1 };
}
