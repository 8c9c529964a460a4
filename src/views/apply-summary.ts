/** The closing lines of an apply or destroy: what succeeded, failed and was skipped, by name, with hints. */
import type { ApplyResult } from '../apply/events.ts';
import type { Style } from './style.ts';

export function renderApplySummary(result: ApplyResult, verb: 'Apply' | 'Destroy', s: Style): string {
  const by = (outcome: string) => result.outcomes.filter((o) => o.outcome === outcome);
  const succeeded = by('succeeded');
  const failed = by('failed');
  const skipped = by('skipped');
  const stopped = by('interrupted');
  const lines: string[] = [''];
  for (const o of failed) {
    lines.push(`${s.red('✗')} ${o.sandbox}: ${o.action} failed at ${o.error?.step}: ${o.error?.message}`);
    if (o.error?.hint) lines.push(`  hint: ${o.error.hint}`);
  }
  for (const o of stopped) lines.push(`${s.yellow('■')} ${o.sandbox}: ${o.action} ${o.reason ?? 'interrupted'}`);
  const names = (list: typeof succeeded) => (list.length === 0 ? '' : ` (${list.map((o) => o.sandbox).join(', ')})`);
  const counts = `${succeeded.length} succeeded${names(succeeded)}, ${failed.length} failed${names(failed)}, ${skipped.length} skipped${names(skipped)}`;
  if (result.interrupted) {
    const parts = [`${succeeded.length} finished${names(succeeded)}`];
    if (failed.length > 0) parts.push(`${failed.length} failed${names(failed)}`);
    parts.push(`${stopped.length} interrupted${names(stopped)}`, `${skipped.length} never started${names(skipped)}`);
    lines.push(s.yellow(`${verb} interrupted: ${parts.join(', ')}.`), `What finished is kept. Run \`owctl ${verb.toLowerCase()}\` again to converge the rest.`);
  } else if (failed.length > 0) {
    lines.push(s.red(s.bold(`${verb} failed: ${counts}.`)), 'Fix the cause above and run it again; what succeeded is kept.');
  } else {
    lines.push(s.green(s.bold(`${verb} complete! ${counts}.`)));
  }
  return `${lines.join('\n')}\n`;
}
