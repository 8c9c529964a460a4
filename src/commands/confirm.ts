/** Prompts live here, in the command layer, never in the planner or executor. */
import { createInterface } from 'node:readline/promises';
import { OwctlError } from '../errors.ts';
import type { CommandIO } from './io.ts';

export interface Approval {
  autoApprove: boolean;
  /** A saved plan was given: it is the approval (Terraform's `apply PLANFILE`). */
  savedPlan: boolean;
}

export async function confirm(question: string, approval: Approval, io: CommandIO, verb: 'apply' | 'destroy'): Promise<boolean> {
  if (approval.autoApprove || approval.savedPlan) return true;
  if (!io.interactive) {
    throw new OwctlError('apply.not_approved', `refusing to ${verb} without a terminal to confirm on (no TTY)`, {
      hint: `pass --auto-approve, or save a plan with \`owctl plan -o plan.json\` and run \`owctl apply plan.json\``,
    });
  }
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    io.stdout(`\n${question}\n  owctl will ${verb} as shown above. Only 'yes' will be accepted to approve.\n\n`);
    const answer = await rl.question('  Enter a value: ');
    return answer.trim() === 'yes';
  } finally {
    rl.close();
  }
}
