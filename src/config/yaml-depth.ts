/**
 * Nesting depth of a YAML text, estimated from yaml's lexer tokens in one pass without recursion. yaml's composer
 * recurses per nesting level; a few thousand `[` in a small file exhaust the stack, and V8 can then abort the
 * whole process. So owctl measures first and composes only files of sane depth.
 *
 * The estimate is flow depth + open indentation levels + `-`/`?` indicators on the current line. Each
 * indentation level holds at most two real levels (a list item holding a mapping), so the true depth stays
 * within about twice the limit: far below where the composer's stack would run out.
 */
import { CST, Lexer } from 'yaml';

const CONTROL = new Set([CST.DOCUMENT, CST.FLOW_END]);

/** Offset of the first token nested deeper than `limit`, or undefined when the text stays within it. */
export function tooDeepAt(text: string, limit: number): number | undefined {
  const indents: number[] = [];
  let offset = 0;
  let flow = 0;
  let items = 0;
  let lineStart = true;
  let indent = 0;
  let scalarNext = false;
  const openLine = (): void => {
    lineStart = false;
    if (flow > 0) return;
    while (indents.length > 0 && indents[indents.length - 1]! > indent) indents.pop();
    if (indents.length === 0 || indents[indents.length - 1]! < indent) indents.push(indent);
  };
  const newLine = (): void => {
    lineStart = true;
    items = 0;
    indent = 0;
  };
  for (const token of new Lexer().lex(text)) {
    if (CONTROL.has(token)) continue;
    if (token === CST.SCALAR) {
      // The next token is the scalar's own source (a block scalar may span lines and look like indentation).
      scalarNext = true;
      if (lineStart) openLine();
      continue;
    }
    if (scalarNext) {
      scalarNext = false;
      offset += token.length;
      if (token.endsWith('\n')) newLine();
      continue;
    }
    const type = CST.tokenType(token);
    if (type === 'newline') newLine();
    else if (type === 'space') {
      if (lineStart) indent = token.length;
    } else if (type !== 'comment') {
      if (lineStart) openLine();
      if (type === 'flow-map-start' || type === 'flow-seq-start') flow++;
      else if (type === 'flow-map-end' || type === 'flow-seq-end') flow = Math.max(0, flow - 1);
      else if ((type === 'seq-item-ind' || type === 'explicit-key-ind') && flow === 0) items++;
      if (indents.length + items + flow > limit) return offset;
    }
    offset += token.length;
  }
  return undefined;
}
