/**
 * Applies `${VAR}` interpolation to every string value of a parsed YAML document, in place, after parsing (so a
 * value can never inject YAML structure) and before validation. Keys are not interpolated. Errors point at the
 * expression inside its scalar. A plain (unquoted) scalar that was interpolated is re-typed like YAML would type
 * it, so `cpus: ${CPUS}` with CPUS=4 is the number 4; quote it to keep a string.
 */
import { isMap, isScalar, isSeq, type Document, type LineCounter, type Node, type Scalar } from 'yaml';
import { hasInterpolation, interpolate, retype, type Lookup } from './interpolate.ts';
import type { Issue, Segment } from './issue.ts';

export interface InterpolationOutcome {
  issues: Issue[];
  /** Paths whose value could not be interpolated: later checks on them would only repeat the problem. */
  failed: Segment[][];
}

export function interpolateDocument(doc: Document, text: string, lineCounter: LineCounter, file: string, lookup: Lookup): InterpolationOutcome {
  const outcome: InterpolationOutcome = { issues: [], failed: [] };
  const walk = (node: Node | null | undefined, path: Segment[]): void => {
    if (isMap(node)) {
      for (const pair of node.items) walk(pair.value as Node | null, [...path, isScalar(pair.key) ? String(pair.key.value) : '?']);
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => walk(item as Node | null, [...path, index]));
    } else if (isScalar(node) && typeof node.value === 'string' && hasInterpolation(node.value)) {
      substitute(node, path);
    }
  };
  const substitute = (node: Scalar, path: Segment[]): void => {
    const result = interpolate(node.value as string, lookup);
    for (const error of result.errors) {
      const { line, col } = lineCounter.linePos(offsetOf(node, text, error.expression));
      outcome.issues.push({ path, message: error.message, ...(error.hint ? { hint: error.hint } : {}), ...(error.variable ? { variable: error.variable } : {}), at: { file, line, col } });
    }
    if (result.errors.length > 0) outcome.failed.push(path);
    node.value = node.type === 'PLAIN' && !node.tag ? retype(result.value) : result.value;
  };
  walk(doc.contents as Node | null, []);
  return outcome;
}

/** Where `expression` starts in the scalar's source text, or the scalar's start when escapes hide it. */
function offsetOf(node: Scalar, text: string, expression: string): number {
  const [start, end] = node.range ?? [0, 0];
  const index = text.slice(start, end).indexOf(expression);
  return start + Math.max(index, 0);
}
