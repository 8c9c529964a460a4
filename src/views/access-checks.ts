/** `owctl verify NAME`: one line per person of the sandbox's access, under the server's steps. */
import type { Style } from './style.ts';

export interface AccessCheckView {
  person: string;
  scope: string;
  ok: boolean;
  checked: boolean;
  duration_ms: number;
  message?: string;
}

export function renderAccessChecks(checks: readonly AccessCheckView[], s: Style): string {
  if (checks.length === 0) return '';
  const lines = checks.map((c) => {
    const mark = !c.checked ? s.dim('-') : c.ok ? s.green('✓') : s.red('✗');
    const what = `access:${c.person} (${c.scope})`;
    return `  ${mark} ${what.padEnd(28)} ${String(c.duration_ms).padStart(6)} ms${c.message ? `  ${c.ok ? s.dim(c.message) : c.message}` : ''}`;
  });
  const failed = checks.filter((c) => !c.ok).map((c) => c.person);
  if (failed.length > 0) lines.push(s.red(`  access failed for ${failed.join(', ')}: \`owctl apply --rotate NAME/PERSON\` issues a new token`));
  return `${lines.join('\n')}\n`;
}
