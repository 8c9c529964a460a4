/**
 * One `.command()` per verb; each action maps flags to a command's typed options and records its exit code.
 * Command modules are imported only when their verb runs: start-up time is most of what a plan costs.
 */
import type { Command } from 'commander';
import { Argument, Option } from 'commander';
import { resolve } from 'node:path';
import { action, globalFlags, type Wiring } from './action.ts';
import { NAMES_COMMAND } from './names-command.ts';
import type { PlanFormat } from '../commands/plan.ts';
import { parseCount, parseLockTimeout, parseParallelism, parseTimeout, planFormat } from './parse.ts';
import { registerApprovals } from './approvals.ts';

/** Matches DEFAULT_APPLY_PARALLELISM in src/apply/executor.ts (not imported: it would load the executor). */
const APPLY_PARALLELISM = 4;

export function registerCommands(program: Command, wiring: Wiring): void {
  program
    .command('validate')
    .description('check the file: schema, values, references; exit 0 when valid, 1 otherwise')
    .option('--json', 'machine-readable result')
    .action(action<{ json?: boolean }>(program, wiring, async (o, g, io) => (await import('../commands/validate.ts')).validateCommand({ file: g.file, json: o.json === true }, io)));

  program
    .command('plan')
    .description('show what apply would change in live microsandbox state, and why')
    .addOption(new Option('--format <FORMAT>', 'human, json (the versioned plan document) or markdown (for a pull-request comment)').choices(['human', 'json', 'markdown']))
    .option('--json', 'the same as --format json')
    .option('--detailed-exitcode', 'exit 0 when nothing changes, 2 when something would, 1 on an error (a preflight error included)')
    .option('-o, --out <FILE>', 'save the plan for `owctl apply FILE`')
    .option('--target <NAME...>', 'plan only these sandboxes')
    .option('--replace <NAME...>', 'replace these sandboxes even if they are up to date (a wedged server, a damaged guest)')
    .option('--wake', 'plan to start sandboxes msb stopped at their idle_timeout or max_duration (asleep)')
    .option('--rotate <NAME...>', 'issue new access tokens (NAME: all of a sandbox\'s people; NAME/PERSON: one), verify them, then revoke the old')
    .addOption(new Option('--parallelism <N>', 'concurrent msb calls while observing').argParser(parseParallelism))
    .action(
      action<{ json?: boolean; format?: PlanFormat; detailedExitcode?: boolean; out?: string; target?: string[]; replace?: string[]; parallelism?: number; wake?: boolean; rotate?: string[] }>(program, wiring, async (o, g, io) =>
        (await import('../commands/plan.ts')).planCommand(
          { file: g.file, msb: g.msb, format: planFormat(o), detailedExitcode: o.detailedExitcode === true, out: o.out, target: o.target, replace: o.replace, parallelism: o.parallelism, wake: o.wake === true, rotate: o.rotate },
          io,
        ),
      ),
    );

  program
    .command('show')
    .argument('<PLANFILE>', 'a plan saved with `owctl plan -o FILE`')
    .description('render a saved plan without reading the file or touching msb')
    .addOption(new Option('--format <FORMAT>', 'human, json (the versioned plan document) or markdown').choices(['human', 'json', 'markdown']))
    .option('--json', 'the same as --format json')
    .action(
      action<{ json?: boolean; format?: PlanFormat }>(program, wiring, async (o, _g, io, args) =>
        (await import('../commands/show.ts')).showCommand({ planFile: args[0]!, format: planFormat(o) }, io),
      ),
    );

  program
    .command('doctor')
    .description('report the msb binary, its version, host virtualisation, backend and MSB_HOME; for a file on OpenSandbox, its server')
    .option('--json', 'machine-readable report')
    .action(action<{ json?: boolean }>(program, wiring, async (o, g, io) => (await import('../commands/doctor.ts')).doctorCommand({ msb: g.msb, file: g.file, json: o.json === true }, io)));

  interface ApplyFlags {
    json?: boolean;
    replace?: string[];
    autoApprove?: boolean;
    target?: string[];
    parallelism: number;
    lockTimeout: number;
    purge?: boolean;
    includeProtected?: boolean;
    wake?: boolean;
    rotate?: string[];
  }
  const changeFlags = (command: Command) =>
    command
      .option('--auto-approve', 'do not ask for confirmation (required without a TTY)')
      .option('--json', 'newline-delimited JSON events instead of progress (first line states the version)')
      .option('--target <NAME...>', 'only these sandboxes')
      .addOption(new Option('--parallelism <N>', 'sandboxes changed at once').argParser(parseParallelism).default(APPLY_PARALLELISM))
      .addOption(new Option('--lock-timeout <DURATION>', 'wait this long for another apply/destroy to finish (e.g. 30s, 5m)').argParser(parseLockTimeout).default(0, '0s'));

  changeFlags(
    program
      .command('apply')
      .argument('[PLANFILE]', 'a plan saved with `owctl plan -o FILE`: applied exactly, without a prompt, refused if stale')
      .description('make live microsandbox state match the file, then verify every touched sandbox like a remote client'),
  )
    .option('--wake', 'also start sandboxes msb stopped at their idle_timeout or max_duration, and relaunch their servers')
    .option('--replace <NAME...>', 'replace these sandboxes even if they are up to date (a wedged server, a damaged guest)')
    .option('--rotate <NAME...>', 'issue new access tokens (NAME: all of a sandbox\'s people; NAME/PERSON: one), verify them, then revoke the old')
    .action(
    action<ApplyFlags>(program, wiring, async (o, g, io, args) =>
      (await import('../commands/apply.ts')).applyCommand(
        {
          file: g.file,
          msb: g.msb,
          json: o.json === true,
          autoApprove: o.autoApprove === true,
          target: o.target,
          planFile: args[0],
          replace: o.replace,
          lockTimeoutMs: o.lockTimeout,
          applyParallelism: o.parallelism,
          wake: o.wake === true,
          rotate: o.rotate,
        },
        io,
      ),
    ),
  );

  changeFlags(program.command('destroy').description('remove every sandbox this file\'s project owns (and nothing else)'))
    .option('--purge', "also delete the destroyed sandboxes' bind-mount folders inside the project folder")
    .option('--include-protected', 'also destroy sandboxes marked protect: true')
    .action(
      action<ApplyFlags>(program, wiring, async (o, g, io) =>
        (await import('../commands/destroy.ts')).destroyCommand(
          {
            file: g.file,
            msb: g.msb,
            json: o.json === true,
            autoApprove: o.autoApprove === true,
            target: o.target,
            purge: o.purge === true,
            includeProtected: o.includeProtected === true,
            lockTimeoutMs: o.lockTimeout,
            applyParallelism: o.parallelism,
          },
          io,
        ),
      ),
    );

  program
    .command('import')
    .argument('<NAME...>', 'declared sandboxes that exist in msb without owctl labels')
    .description('adopt existing sandboxes into the project: shows the labels it adds and the plan that follows, asks, then labels them')
    .option('--auto-approve', 'do not ask for confirmation (required without a TTY)')
    .addOption(new Option('--lock-timeout <DURATION>', 'wait this long for another apply/destroy to finish (e.g. 30s, 5m)').argParser(parseLockTimeout).default(0, '0s'))
    .action(
      action<{ json?: boolean; autoApprove?: boolean; lockTimeout: number }>(program, wiring, async (o, g, io, args) =>
        (await import('../commands/import.ts')).importCommand({ file: g.file, msb: g.msb, names: args, autoApprove: o.autoApprove === true, lockTimeoutMs: o.lockTimeout }, io),
      ),
    );

  program
    .command('verify')
    .argument('[NAME...]', 'declared sandboxes to verify (default: all)')
    .description('check sandboxes like a remote client: health, 401 without token, 200 with it, an OpenCode session, live events, the host token')
    .option('--url <URL>', 'verify any OpenWork endpoint instead (tokens from OPENWORK_TOKEN / OPENWORK_HOST_TOKEN)')
    .option('--token-env <NAME>', 'variable holding the client token for --url', 'OPENWORK_TOKEN')
    .option('--host-token-env <NAME>', 'variable holding the host token for --url', 'OPENWORK_HOST_TOKEN')
    .addOption(new Option('--timeout <DURATION>', 'how long to wait for /health (default: 120s with --url, else each sandbox\'s verify.timeout)').argParser(parseTimeout))
    .option('--json', 'machine-readable results')
    .action(
      action<{ url?: string; tokenEnv: string; hostTokenEnv: string; timeout?: number; json?: boolean }>(program, wiring, async (o, g, io, args) =>
        (await import('../commands/verify.ts')).verifyCommand(
          { file: g.file, msb: g.msb, names: args, url: o.url, tokenEnv: o.tokenEnv, hostTokenEnv: o.hostTokenEnv, timeoutSecs: o.timeout, json: o.json === true },
          io,
        ),
      ),
    );

  program
    .command('init')
    .description('write a starter openwork.yaml, a .env with fresh tokens, and git-ignore them')
    .addOption(new Option('--backend <TYPE>', 'the engine the starter file targets').choices(['msb', 'opensandbox']).default('msb'))
    .action(
      action<{ json?: boolean; backend: 'msb' | 'opensandbox' }>(program, wiring, async (o, g, io) =>
        (await import('../commands/init.ts')).initCommand({ file: g.file, backend: o.backend }, io),
      ),
    );

  program
    .command('status')
    .argument('[NAME...]', 'only these sandboxes')
    .description('live status, image, resources, URL, owner and server health of the project\'s sandboxes')
    .option('--json', 'machine-readable status')
    .action(action<{ json?: boolean }>(program, wiring, async (o, g, io, args) => (await import('../commands/status.ts')).statusCommand({ file: g.file, msb: g.msb, names: args, json: o.json === true }, io)));

  program
    .command('connect')
    .argument('<NAME>', 'a declared sandbox')
    .description('what a remote OpenWork client needs to pair: the URL and where the token lives')
    .option('--show-token', 'print the client token itself (with --as, that person\'s token)')
    .option('--as <PERSON>', 'the details for one person of the sandbox\'s access: their scope and token file')
    .option('--json', 'machine-readable details')
    .action(
      action<{ json?: boolean; showToken?: boolean; as?: string }>(program, wiring, async (o, g, io, args) =>
        (await import('../commands/connect.ts')).connectCommand({ file: g.file, msb: g.msb, name: args[0]!, showToken: o.showToken === true, json: o.json === true, ...(o.as === undefined ? {} : { as: o.as }) }, io),
      ),
    );

  program
    .command('output')
    .argument('[NAME...]', 'only these sandboxes')
    .description('each sandbox\'s connect URL and where its tokens live (never the tokens), from the file')
    .option('--json', 'machine-readable outputs')
    .action(action<{ json?: boolean }>(program, wiring, async (o, g, io, args) => (await import('../commands/output.ts')).outputCommand({ file: g.file, msb: g.msb, names: args, json: o.json === true }, io)));

  program
    .command('keepalive')
    .argument('[NAME...]', 'declared sandboxes (default: every one with an idle_timeout)')
    .description("keep sandboxes a client used within their idle_timeout awake (msb touch); msb's idle timer sees no published-port traffic")
    .option('--once', 'one pass, then exit (for cron or a systemd timer)')
    .addOption(new Option('--interval <DURATION>', 'time between passes (default: a third of the shortest idle_timeout)').argParser(parseTimeout))
    .action(
      action<{ json?: boolean; once?: boolean; interval?: number }>(program, wiring, async (o, g, io, args) =>
        (await import('../commands/keepalive.ts')).keepaliveCommand({ file: g.file, msb: g.msb, names: args, intervalSecs: o.interval, once: o.once === true }, io),
      ),
    );

  program
    .command('logs')
    .argument('<NAME>', 'a declared sandbox')
    .description("the sandbox's OpenWork server output, read through msb")
    .option('-f, --follow', 'keep printing new output')
    .addOption(new Option('--tail <N>', 'lines to show from the end').argParser(parseCount).default(200))
    .action(
      action<{ json?: boolean; follow?: boolean; tail: number }>(program, wiring, async (o, g, io, args) =>
        (await import('../commands/logs.ts')).logsCommand({ file: g.file, msb: g.msb, name: args[0]!, follow: o.follow === true, tail: o.tail }, io),
      ),
    );

  registerApprovals(program, wiring);

  program
    .command('completion')
    .addArgument(new Argument('<SHELL>', 'the shell to complete in').choices(['bash', 'zsh', 'fish']))
    .description('print a completion script for bash, zsh or fish, generated from these commands')
    .action(
      action<{ json?: boolean }>(program, wiring, async (_o, _g, io, args) => {
        io.stdout((await import('./completion.ts')).completionScript(program, args[0] as 'bash' | 'zsh' | 'fish'));
        return 0;
      }),
    );

  // For completion scripts (completion.ts): the declared names, one a line; hidden from help.
  program
    .command(NAMES_COMMAND, { hidden: true })
    .action(
      action<{ json?: boolean }>(program, wiring, async (_o, g, io) => {
        const names = await (await import('../config/sandbox-names.ts')).declaredNames(resolve(io.cwd, g.file));
        io.stdout(names.map((name) => `${name}\n`).join(''));
        return 0;
      }),
    );

  for (const command of program.commands) globalFlags(command, command.name() !== 'logs');
}
