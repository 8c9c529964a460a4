/** Suggestions for misspelt keys and values: the closest candidate by edit distance, if it is close enough. */

/** Optimal string alignment distance: Levenshtein plus adjacent transpositions (`memroy` → `memory` is 1). */
export function editDistance(a: string, b: string): number {
  let before = new Array<number>(b.length + 1).fill(0);
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, before[j - 2]! + 1);
      current.push(best);
    }
    [before, previous] = [previous, current];
  }
  return previous[b.length]!;
}

function fold(text: string): string {
  return text.toLowerCase().replaceAll('-', '_');
}

/** The candidate nearest to `word` (case and -/_ ignored), or undefined when none is within a third of its length. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  // Inputs come from hostile files: do not run a quadratic comparison on huge strings.
  if (word.length > 64) return undefined;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    if (Math.abs(candidate.length - word.length) > Math.max(1, Math.floor(Math.max(word.length, candidate.length) / 3))) continue;
    const distance = editDistance(fold(word), fold(candidate));
    const limit = Math.max(1, Math.floor(Math.max(word.length, candidate.length) / 3));
    if (distance <= limit && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}
