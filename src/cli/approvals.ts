/**
 * `owctl approvals [NAME…]` and its two answers, `owctl approvals allow|deny NAME ID`. Commander parses an option
 * given before the answer's arguments on `approvals`, and one given after them on the answer: both are read, the
 * later one winning, as for the global options of every verb.
 */
import type { Command } from 'commander';
import type { GlobalOptions } from './run-command.ts';
import { action, globalFlags, globalOptions, type Wiring } from './action.ts';
import { runCommand } from './run-command.ts';

export function registerApprovals(program: Command, wiring: Wiring): void {
  const approvals = program
    .command('approvals')
    .argument('[NAME...]', 'declared sandboxes (default: all)')
    .description('pending approvals (writes a server in manual approval mode holds): which sandbox, what is asked, since when')
    .option('--json', 'machine-readable list')
    .action(
      action<{ json?: boolean }>(program, wiring, async (o, g, io, args) =>
        (await import('../commands/approvals.ts')).approvalsCommand({ file: g.file, msb: g.msb, names: args, json: o.json === true }, io),
      ),
    );
  for (const reply of ['allow', 'deny'] as const) {
    const answer = approvals
      .command(reply)
      .argument('<NAME>', 'a declared sandbox')
      .argument('<ID>', 'the approval id `owctl approvals` lists')
      .description(reply === 'allow' ? 'let the held request go ahead' : 'refuse the held request (the client gets 403 write_denied)')
      .option('--json', "the server's confirmation as JSON")
      .showHelpAfterError('hint: run `owctl approvals --help` for usage')
      .action(async (...received: unknown[]) => {
        const command = received[received.length - 1] as Command;
        const [name, id] = command.args;
        const json = approvals.opts<{ json?: boolean }>().json === true || command.opts<{ json?: boolean }>().json === true;
        const global = answerGlobals(globalOptions(program, approvals), command.opts<Partial<GlobalOptions>>());
        const io = wiring.ioFor(global);
        const run = async () => (await import('../commands/approvals.ts')).replyCommand({ file: global.file, msb: global.msb, name: name!, id: id!, reply, json }, io);
        wiring.setExit(await runCommand(io, json, run));
      });
    globalFlags(answer);
  }
}

function answerGlobals(before: GlobalOptions, after: Partial<GlobalOptions>): GlobalOptions {
  return { file: after.file ?? before.file, msb: after.msb ?? before.msb, color: before.color && after.color !== false };
}
