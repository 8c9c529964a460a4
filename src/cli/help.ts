/**
 * What each command's --help ends with: examples and exit codes. Usage errors point at the command's own help.
 * Kept as data beside the wiring; test/cli/help.test.ts checks every command has both and every example parses.
 */
import type { Command } from 'commander';

interface HelpFacts {
  examples: string[];
  /** Besides 0 (success) and 1 (error), which every command has. */
  exitCodes?: string[];
}

const INTERRUPTED = '130  interrupted (Ctrl-C; 143 SIGTERM, 129 SIGHUP): nothing new was started, in-flight calls finished, the lock was released';

export const HELP: Record<string, HelpFacts> = {
  validate: { examples: ['owctl validate', 'owctl -f staging.yaml validate --json'], exitCodes: ['1    the file is invalid (every problem is listed)'] },
  plan: {
    examples: ['owctl plan', 'owctl plan --detailed-exitcode -o plan.json', 'owctl plan --replace alice', 'owctl plan --format markdown --target alice bob'],
    exitCodes: ['1    also when the preflight found an error: apply would refuse the plan (it is still printed)', '2    with --detailed-exitcode: changes present, and no preflight error'],
  },
  show: { examples: ['owctl show plan.json', 'owctl show plan.json --format markdown'] },
  doctor: { examples: ['owctl doctor', 'owctl --msb /opt/msb/bin/msb doctor --json'], exitCodes: ['1    msb is missing or failing, or this host cannot boot sandboxes'] },
  apply: { examples: ['owctl apply', 'owctl apply plan.json', 'owctl apply --replace alice --auto-approve', 'owctl apply --auto-approve --json --target alice'], exitCodes: [INTERRUPTED] },
  destroy: { examples: ['owctl destroy', 'owctl destroy --target alice --purge --auto-approve'], exitCodes: [INTERRUPTED] },
  import: { examples: ['owctl import alice', 'owctl import alice bob --auto-approve'] },
  verify: { examples: ['owctl verify', 'owctl verify alice --json', 'owctl verify --url http://127.0.0.1:8787 --token-env MY_TOKEN'], exitCodes: ['1    a check failed (the step, URL and status are named)'] },
  init: { examples: ['owctl init', 'owctl -f team.yaml init'] },
  status: { examples: ['owctl status', 'owctl status alice --json'] },
  connect: { examples: ['owctl connect alice', 'owctl connect alice --json'] },
  output: { examples: ['owctl output', 'owctl output alice --json'] },
  keepalive: { examples: ['owctl keepalive', 'owctl keepalive alice --once', 'owctl keepalive --interval 1m'], exitCodes: ['130  interrupted (Ctrl-C; 143 SIGTERM, 129 SIGHUP: how a running keepalive ends)'] },
  approvals: {
    examples: ['owctl approvals', 'owctl approvals alice --json', 'owctl approvals allow alice 3f2b8c1e-5d4a-4f6b-9c2d-0e1f2a3b4c5d', 'owctl approvals deny alice 3f2b8c1e-5d4a-4f6b-9c2d-0e1f2a3b4c5d'],
    exitCodes: ['1    a sandbox is not running or does not answer (each is named), or the reply was not confirmed'],
  },
  logs: { examples: ['owctl logs alice', 'owctl logs alice -f --tail 20'] },
  // Hidden: what completion scripts run (one declared sandbox name a line; nothing when the file cannot be read).
  __names: { examples: ['owctl __names', 'owctl -f staging.yaml __names'] },
  completion: { examples: ['owctl completion bash > ~/.local/share/bash-completion/completions/owctl', 'owctl completion zsh > "${fpath[1]}/_owctl"', 'owctl completion fish > ~/.config/fish/completions/owctl.fish'] },
};

function helpText(facts: HelpFacts): string {
  const codes = ['0    success', '1    error (the message says which; --json output carries its stable code)', ...(facts.exitCodes ?? [])];
  const unique = [...new Map(codes.map((line) => [line.slice(0, 4), line])).values()];
  return `\nExamples:\n${facts.examples.map((e) => `  $ ${e}`).join('\n')}\n\nExit codes:\n${unique.map((c) => `  ${c}`).join('\n')}\n`;
}

/** Adds examples and exit codes to every command's help, and makes its usage errors name that help. */
export function addHelp(program: Command): void {
  for (const command of program.commands) {
    const facts = HELP[command.name()];
    if (facts !== undefined) command.addHelpText('after', helpText(facts));
    command.showHelpAfterError(`hint: run \`owctl ${command.name()} --help\` for usage`);
  }
}
