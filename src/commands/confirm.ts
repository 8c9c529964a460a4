/** Prompts live here, in the command layer, never in the planner or executor. */
import { createInterface } from 'node:readline/promises';
import { EXIT, OwctlError } from '../errors.ts';
import { interruptsOf, type CommandIO } from './io.ts';

export interface Approval {
  autoApprove: boolean;
  /** A saved plan was given: it is the approval (Terraform's `apply PLANFILE`). */
  savedPlan: boolean;
  /** --json: stdout is an event stream, where a question has no place. */
  json?: boolean;
}

/** approved; declined (any answer but `yes`, or the input ended: Ctrl-D); interrupted (Ctrl-C or a signal). */
export type Answer = 'approved' | 'declined' | 'interrupted';

/** The exit code of a cancelled apply or destroy: 1 when declined, 130 when interrupted. */
export function cancelledExitCode(answer: Exclude<Answer, 'approved'>): number {
  return answer === 'interrupted' ? EXIT.interrupted : EXIT.error;
}

/** How to approve without a prompt: only apply has a saved plan to approve (a saved plan of the file destroys nothing). */
function approveHint(verb: 'apply' | 'destroy' | 'import', json: boolean): string {
  const flag = json ? ' --json' : '';
  if (verb === 'destroy') return `pass --auto-approve (\`owctl destroy --auto-approve${flag}\`, with the same --target and --purge), after reading what it removes`;
  if (verb === 'import') return 'pass --auto-approve (`owctl import NAME… --auto-approve`), after reading the label it adds';
  return `pass --auto-approve, or save a plan with \`owctl plan -o plan.json\` and run \`owctl apply plan.json${flag}\``;
}

export async function confirm(question: string, approval: Approval, io: CommandIO, verb: 'apply' | 'destroy' | 'import'): Promise<Answer> {
  if (approval.autoApprove || approval.savedPlan) return 'approved';
  if (approval.json === true) {
    throw new OwctlError('apply.not_approved', `refusing to ${verb} with --json without --auto-approve: a prompt would break the event stream`, {
      hint: approveHint(verb, true),
    });
  }
  // stdin decides, as in Terraform: `owctl apply | tee apply.log` still asks on the terminal.
  if (!(io.prompt ?? io.interactive)) {
    throw new OwctlError('apply.not_approved', `refusing to ${verb} without a terminal to confirm on (stdin is not a TTY)`, {
      hint: approveHint(verb, false),
    });
  }
  io.stdout(`\n${question}\n  owctl will ${verb} as shown above. Only 'yes' will be accepted to approve.\n\n`);
  return ask('  Enter a value: ', io);
}

async function ask(prompt: string, io: CommandIO): Promise<Answer> {
  const interrupts = interruptsOf(io);
  if (interrupts.signal.aborted) return 'interrupted';
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  // On a terminal readline reads Ctrl-C as a key (raw mode), so no signal is sent: it is the same interrupt.
  rl.on('SIGINT', () => interrupts.receive('SIGINT'));
  try {
    return await new Promise<Answer>((resolve) => {
      // Cut short (Ctrl-C, Ctrl-D, a signal): the cursor is still on the prompt's line.
      const cutShort = () => {
        rl.off('close', cutShort);
        interrupts.signal.removeEventListener('abort', cutShort);
        io.stdout('\n');
        resolve(interrupts.signal.aborted ? 'interrupted' : 'declined');
      };
      interrupts.signal.addEventListener('abort', cutShort, { once: true });
      rl.once('close', cutShort);
      rl.question(prompt).then(
        (answer) => {
          rl.off('close', cutShort);
          interrupts.signal.removeEventListener('abort', cutShort);
          resolve(answer.trim() === 'yes' ? 'approved' : 'declined');
        },
        () => undefined, // closed or aborted: cutShort answers
      );
    });
  } finally {
    rl.close();
  }
}
