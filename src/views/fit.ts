/**
 * Text that fits a terminal: lines wider than it are wrapped at spaces, continuation lines indented under the
 * text they continue, so a 320-character warning reads as a paragraph. Widths ignore colour codes. A word longer
 * than the line (a URL, a path) is left whole: cutting it would break a copy. Pipes and files never get here.
 */
const SGR = /\u001b\[[0-9;]*m/g;

export const visibleWidth = (text: string): number => [...text.replace(SGR, '')].length;

/** Where continuation lines start: under the text after a leading `label:` (`warning:`, `hint:`) or bullet, else two in. */
function hangingIndent(line: string): number {
  const plain = line.replace(SGR, '');
  const lead = /^(\s*)(?:(?:[\w./-]+: )?(?:error|warning|hint|note):\s|[-*✓✗•]\s)?/.exec(plain)![0].length;
  const indent = /^\s*/.exec(plain)![0].length;
  return lead > indent ? lead : indent + 2;
}

export function wrapLine(line: string, width: number): string {
  if (width <= 20 || visibleWidth(line) <= width) return line;
  const indent = Math.min(hangingIndent(line), Math.floor(width / 2));
  const leading = /^\s*/.exec(line)![0];
  const words = line.slice(leading.length).split(' ');
  const lines: string[] = [];
  let current = leading;
  let currentWidth = visibleWidth(leading);
  let fresh = true;
  for (const word of words) {
    const w = visibleWidth(word);
    if (!fresh && currentWidth + 1 + w > width) {
      lines.push(current);
      current = ' '.repeat(indent) + word;
      currentWidth = indent + w;
      continue;
    }
    current += fresh ? word : ` ${word}`;
    currentWidth += fresh ? w : 1 + w;
    fresh = false;
  }
  lines.push(current);
  return lines.join('\n');
}

export function wrapText(text: string, width: number | undefined): string {
  if (width === undefined || width <= 0) return text;
  return text
    .split('\n')
    .map((line) => wrapLine(line, width))
    .join('\n');
}

/** A cell cut to `width` with an ellipsis (colour codes dropped from a cut cell). */
export function truncateCell(cell: string, width: number): string {
  if (visibleWidth(cell) <= width) return cell;
  return `${[...cell.replace(SGR, '')].slice(0, Math.max(1, width - 1)).join('')}…`;
}
