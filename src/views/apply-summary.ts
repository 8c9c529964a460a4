/** The closing lines of an apply or destroy: what succeeded, failed and was skipped, by name, with hints. */
import type { ApplyResult } from '../apply/events.ts';
import type { Style } from './style.ts';

export function renderApplySummary(result: ApplyResult, verb: 'Apply' | 'Destroy', s: Style): string {
  const by = (outcome: string) => result.outcomes.filter((o) => o.outcome === outcome);
  const succeeded = by('succeeded');
  const failed = by('failed');
  const skipped = by('skipped');
  const lines: string[] = [''];
  for (const o of failed) {
    lines.push(`${s.red('✗')} ${o.sandbox}: ${o.action} failed at ${o.error?.step}: ${o.error?.message}`);
    if (o.error?.hint) lines.push(`  hint: ${o.error.hint}`);
  }
  const names = (list: typeof succeeded) => (list.length === 0 ? '' : ` (${list.map((o) => o.sandbox).join(', ')})`);
  const counts = `${succeeded.length} succeeded${names(succeeded)}, ${failed.length} failed${names(failed)}, ${skipped.length} skipped${names(skipped)}`;
  if (result.interrupted) {
    lines.push(s.yellow(`${verb} interrupted: ${counts}.`), 'Run it again to converge the rest.');
  } else if (failed.length > 0) {
    lines.push(s.red(s.bold(`${verb} failed: ${counts}.`)), 'Fix the cause above and run it again; what succeeded is kept.');
  } else {
    lines.push(s.green(s.bold(`${verb} complete! ${counts}.`)));
  }
  return `${lines.join('\n')}\n`;
}
