/** Display forms in the file's own grammar, so a plan shows values the way the user writes them. */
export function formatSize(mib: number): string {
  return mib % 1024 === 0 ? `${mib / 1024}G` : `${mib}M`;
}

/** `90` → `90s`, `1800` → `30m`, `7200` → `2h`: the shortest exact form. */
export function formatDuration(secs: number): string {
  if (secs > 0 && secs % 3600 === 0) return `${secs / 3600}h`;
  if (secs > 0 && secs % 60 === 0) return `${secs / 60}m`;
  return `${secs}s`;
}
