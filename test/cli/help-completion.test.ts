/** --help (examples, exit codes), usage errors naming the command's help, --version, and the completion scripts. */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { HELP } from '../../src/cli/help.ts';
import { buildProgram } from '../../src/cli/main.ts';
import { bundledMsb } from '../../src/msb/locate.ts';
import { runCli } from '../helpers/cli.ts';

const program = buildProgram(() => undefined, () => {
  throw new Error('not run');
});
const verbs = program.commands.map((c) => c.name());
const MSB_07 = join(import.meta.dirname, '..', '..', 'node_modules', 'msb-0.7', 'bin', 'msb');

function has(shell: string): boolean {
  return spawnSync(shell, ['--version'], { stdio: 'ignore' }).status === 0;
}

describe('--help', () => {
  for (const verb of verbs) {
    it(`owctl ${verb} --help has examples that parse and the exit codes`, async () => {
      const result = await runCli([verb, '--help']);
      assert.equal(result.code, 0);
      assert.match(result.stdout, /\nExamples:\n {2}\$ owctl /);
      assert.match(result.stdout, /\nExit codes:\n {2}0 {4}success\n {2}1 {4}\S/);
      const command = program.commands.find((c) => c.name() === verb)!;
      const known = new Set([...command.options, ...program.options].flatMap((o) => [o.short, o.long]).filter(Boolean));
      for (const example of HELP[verb]!.examples) {
        const tokens = example.split(' ');
        assert.ok(tokens.includes(verb), `${example} runs ${verb}`);
        for (const token of tokens.filter((t) => t.startsWith('-'))) assert.ok(known.has(token), `${example}: ${token} is an option of owctl ${verb}`);
      }
    });
  }

  it('plan documents --detailed-exitcode\'s 2 and apply the interrupted 130', async () => {
    assert.match((await runCli(['plan', '--help'])).stdout, /2 {4}with --detailed-exitcode: changes present/);
    assert.match((await runCli(['apply', '--help'])).stdout, /130 {2}interrupted/);
  });

  it('a usage error names the subcommand\'s help and exits 1', async () => {
    const unknown = await runCli(['plan', '--bogus']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /error: unknown option '--bogus'\nhint: run `owctl plan --help` for usage/);
    const missing = await runCli(['connect']);
    assert.match(missing.stderr, /missing required argument 'NAME'\nhint: run `owctl connect --help` for usage/);
    const shell = await runCli(['completion', 'tcsh']);
    assert.match(shell.stderr, /Allowed choices are bash, zsh, fish[\s\S]*owctl completion --help/);
    assert.match((await runCli(['nonsense'])).stderr, /owctl --help/);
  });
});

describe('--version', () => {
  it('prints owctl, the msb it resolved with its path and version, and node', async () => {
    const result = await runCli(['--version'], { env: { PATH: process.env.PATH } });
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.trimEnd().split('\n');
    assert.equal(lines[0], 'owctl 0.1.0');
    assert.equal(lines[1], `msb 0.6.18 (${bundledMsb()}, from the bundled npm package @superradcompany/microsandbox-linux-x64-gnu)`);
    assert.equal(lines[2], `node ${process.version}`);
  });

  it('follows --msb and OWCTL_MSB, and says when msb cannot be found', async () => {
    assert.match((await runCli(['--msb', MSB_07, '--version'])).stdout, new RegExp(`^msb 0\\.7\\.2 \\(${MSB_07}, from the --msb option\\)$`, 'm'));
    assert.match((await runCli(['-V'], { env: { OWCTL_MSB: MSB_07 } })).stdout, /^msb 0\.7\.2 .*from OWCTL_MSB\)$/m);
    const missing = await runCli(['--version'], { env: { OWCTL_MSB: '/nonexistent/msb' } });
    assert.equal(missing.code, 0);
    assert.match(missing.stdout, /^msb not found: msb not found at \/nonexistent\/msb/m);
  });
});

describe('owctl completion', () => {
  const script = async (shell: string) => {
    const result = await runCli(['completion', shell]);
    assert.equal(result.code, 0, result.stderr);
    return result.stdout;
  };

  it('every script names every command and every long option, from the definitions', async () => {
    for (const shell of ['bash', 'zsh', 'fish']) {
      const text = await script(shell);
      for (const command of program.commands) {
        assert.ok(text.includes(command.name()), `${shell}: ${command.name()}`);
        for (const option of command.options) {
          const long = option.long!;
          assert.ok(text.includes(shell === 'fish' ? `-l ${long.slice(2)}` : long), `${shell}: ${command.name()} ${long}`);
        }
      }
    }
  });

  it('bash completes commands, options, option values and arguments', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'owctl-completion-'));
    try {
      const file = join(dir, 'owctl.bash');
      writeFileSync(file, await script('bash'));
      const complete = (line: string) => {
        const words = line.split(' ');
        const program = `source ${file}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _owctl; printf '%s\\n' "\${COMPREPLY[@]}"`;
        return execFileSync('bash', ['--norc', '-c', program], { encoding: 'utf8', cwd: dir }).split('\n').filter(Boolean).sort();
      };
      assert.deepEqual(complete('owctl pl'), ['plan']);
      assert.deepEqual(complete('owctl plan --for'), ['--format']);
      assert.deepEqual(complete('owctl plan --format '), ['human', 'json', 'markdown']);
      assert.deepEqual(complete('owctl completion '), ['--help', 'bash', 'fish', 'zsh']);
      assert.deepEqual(complete('owctl apply --re'), ['--replace']);
      assert.deepEqual(complete('owctl --file '), ['owctl.bash'], 'file values complete file names');
      assert.ok(complete('owctl logs -').includes('--follow'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('zsh parses the script', { skip: has('zsh') ? false : 'zsh is not installed (apt-get install zsh)' }, async () => {
    const result = spawnSync('zsh', ['-n'], { input: await script('zsh'), encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
  });

  it('fish completes commands and option values', { skip: has('fish') ? false : 'fish is not installed (apt-get install fish)' }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'owctl-completion-'));
    try {
      const file = join(dir, 'owctl.fish');
      writeFileSync(file, await script('fish'));
      const complete = (line: string) =>
        execFileSync('fish', ['--no-config', '-c', `source ${file}; complete -C '${line}'`], { encoding: 'utf8', env: { ...process.env, HOME: dir } })
          .split('\n')
          .filter(Boolean)
          .map((l) => l.split('\t')[0])
          .sort();
      assert.deepEqual(complete('owctl pl'), ['plan']);
      assert.deepEqual(complete('owctl plan --format '), ['human', 'json', 'markdown']);
      assert.deepEqual(complete('owctl completion '), ['bash', 'fish', 'zsh']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
