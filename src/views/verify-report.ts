/** Verification results, one line per step with its duration; a failure names the step, URL, status and a hint. */
import type { VerifyReport } from '../apply/runtime.ts';
import type { Style } from './style.ts';

export function renderVerifyReport(target: string, report: VerifyReport, s: Style): string {
  const lines = [`${s.bold(target)}`];
  for (const step of report.steps) {
    const mark = step.ok ? s.green('✓') : s.red('✗');
    const status = step.status !== undefined ? ` HTTP ${step.status}` : '';
    lines.push(`  ${mark} ${step.step.padEnd(13)} ${String(step.durationMs).padStart(6)} ms  ${s.dim(step.url)}${status}`);
    if (!step.ok) {
      if (step.message) lines.push(`    ${step.message}`);
      if (step.hint) lines.push(`    hint: ${step.hint}`);
    }
  }
  lines.push(report.ok ? s.green('  verified: a remote client can connect') : s.red('  verification failed'));
  return `${lines.join('\n')}\n`;
}
