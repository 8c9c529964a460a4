/**
 * A plain aligned table (kubectl get style); widths ignore ANSI colour codes. Given a terminal's width, the widest
 * cuttable columns are cut (with an ellipsis) until a row fits; the first column (the name) and columns marked
 * `keep` (a URL a reader copies) stay whole.
 */
import { truncateCell, visibleWidth as visible } from './fit.ts';

const GAP = 3;
/** On a narrow terminal: two spaces between columns before anything is cut so far. */
const NARROW_GAP = 2;
const MIN_CUT = 6;

export function renderTable(headers: string[], rows: string[][], fit?: { width: number | undefined; keep?: number[] }): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => visible(r[i] ?? ''))));
  const natural = widths.reduce((sum, w) => sum + w, 0) + GAP * (widths.length - 1);
  const gap = fit?.width !== undefined && natural > fit.width ? NARROW_GAP : GAP;
  const limits = fitWidths(widths, headers, gap, fit);
  const line = (cells: string[]) =>
    cells
      .map((raw, i) => {
        const cell = truncateCell(raw, limits[i]!);
        return i === cells.length - 1 ? cell : cell + ' '.repeat(Math.max(0, limits[i]! - visible(cell)));
      })
      .join(' '.repeat(gap))
      .trimEnd();
  return `${[line(headers), ...rows.map(line)].join('\n')}\n`;
}

function fitWidths(widths: number[], headers: string[], gap: number, fit: { width: number | undefined; keep?: number[] } | undefined): number[] {
  const limits = [...widths];
  const width = fit?.width;
  if (width === undefined || width <= 0) return limits;
  const total = () => limits.reduce((sum, w) => sum + w, 0) + gap * (limits.length - 1);
  const cuttable = (i: number) => i > 0 && !(fit?.keep ?? []).includes(i) && limits[i]! > Math.max(MIN_CUT, headers[i]!.length);
  while (total() > width) {
    const candidates = limits.map((_, i) => i).filter(cuttable);
    if (candidates.length === 0) break;
    const widest = candidates.reduce((a, b) => (limits[b]! > limits[a]! ? b : a));
    limits[widest] = limits[widest]! - 1;
  }
  return limits;
}
