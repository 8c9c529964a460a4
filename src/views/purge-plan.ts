/** The human form of a `destroy --purge` plan: every entry it will delete, then every one it keeps and why. */
import type { PurgeItem } from '../apply/purge.ts';
import type { Style } from './style.ts';

function what(item: PurgeItem): string {
  if (item.kind === 'link') return ' (a symbolic link: only the link is removed, not what it points to)';
  if (item.kind === 'file') return ' (a file)';
  return ' (the folder and everything in it)';
}

export function renderPurgePlan(items: PurgeItem[], s: Style): string {
  if (items.length === 0) return '';
  const deleted = items.filter((i) => i.delete);
  const kept = items.filter((i) => !i.delete);
  const lines: string[] = [];
  if (deleted.length > 0) {
    lines.push(s.bold(`--purge will delete ${deleted.length} bind source${deleted.length === 1 ? '' : 's'}:`));
    for (const item of deleted) lines.push(`  ${s.red('-')} ${item.path}${what(item)}`);
  } else {
    lines.push(s.bold('--purge will delete nothing.'));
  }
  if (kept.length > 0) {
    lines.push('and keep:');
    for (const item of kept) lines.push(`    ${item.path}: ${item.reason}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The prompt's question, naming each entry it will delete. */
export function purgeQuestion(items: PurgeItem[]): string {
  const deleted = items.filter((i) => i.delete).map((i) => i.path);
  if (deleted.length === 0) return 'Do you really want to destroy these sandboxes? (--purge deletes no folder)';
  return `Do you really want to destroy these sandboxes and delete ${deleted.length === 1 ? 'this' : `these ${deleted.length}`}?\n${deleted.map((p) => `    ${p}`).join('\n')}`;
}
