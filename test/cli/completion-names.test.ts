/**
 * Completion offers the file's sandbox names where a sandbox is named (arguments, --target, --replace), read by a
 * hidden `owctl __names` that parses only the YAML: no msb, no variables, no validation.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { builtOwctl } from '../helpers/built-cli.ts';
import { runCli } from '../helpers/cli.ts';

const FILE = ['version: 1', 'project: p', 'sandboxes:', '  alice:', '    image: x:1', '    tokens: { client: "${UNSET_A}", host: "${UNSET_B}" }', '  bob: { image: "x:1" }', '  carol-2:', '    image: x:1', ''].join('\n');

describe('completion of sandbox names', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'owctl-complete-names-'));
    mkdirSync(join(dir, 'project', 'sub'), { recursive: true });
    mkdirSync(join(dir, 'other'));
    mkdirSync(join(dir, 'bin'));
    writeFileSync(join(dir, 'project', 'openwork.yaml'), FILE);
    writeFileSync(join(dir, 'other', 'staging.yaml'), 'version: 1\nproject: s\nsandboxes:\n  stage-1: {}\n');
    // `owctl` on PATH, as an installed one would be: this checkout's built program.
    writeFileSync(join(dir, 'bin', 'owctl'), `#!/bin/sh\nexec ${builtOwctl([]).map((word) => `'${word}'`).join(' ')} "$@"\n`);
    chmodSync(join(dir, 'bin', 'owctl'), 0o755);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('__names prints the declared names, sorted, without the variables the file reads; nothing for a broken file', async () => {
    const names = await runCli(['__names'], { cwd: join(dir, 'project', 'sub'), env: {} });
    assert.deepEqual([names.code, names.stdout, names.stderr], [0, 'alice\nbob\ncarol-2\n', '']);
    const none = await runCli(['-f', join(dir, 'missing.yaml'), '__names'], { cwd: dir, env: {} });
    assert.deepEqual([none.code, none.stdout], [0, '']);
    const help = await runCli(['--help']);
    assert.doesNotMatch(help.stdout, /__names/, 'hidden');
  });

  it('bash offers them for arguments that name sandboxes and for --target/--replace, from -f when given', async () => {
    const script = join(dir, 'owctl.bash');
    writeFileSync(script, (await runCli(['completion', 'bash'])).stdout);
    const complete = (line: string, cwd: string) => {
      const words = line.split(' ');
      const program = `source ${script}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _owctl; printf '%s\\n' "\${COMPREPLY[@]}"`;
      const env = { PATH: `${join(dir, 'bin')}:${process.env.PATH}`, HOME: dir };
      return execFileSync('bash', ['--norc', '-c', program], { encoding: 'utf8', cwd, env }).split('\n').filter(Boolean).sort();
    };
    const project = join(dir, 'project');
    assert.deepEqual(complete('owctl connect ', project), ['--as', '--help', '--json', '--show-token', 'alice', 'bob', 'carol-2']);
    assert.deepEqual(complete('owctl connect b', project), ['bob']);
    assert.deepEqual(complete('owctl plan --target ', project), ['alice', 'bob', 'carol-2']);
    assert.deepEqual(complete('owctl apply --replace c', join(project, 'sub')), ['carol-2']);
    assert.deepEqual(complete(`owctl -f ${join(dir, 'other', 'staging.yaml')} logs s`, project), ['stage-1']);
    assert.deepEqual(complete('owctl verify --token-env ', project), [], 'a variable name, not a sandbox');
    assert.deepEqual(complete('owctl connect ', dir).filter((w) => !w.startsWith('-')), [], 'no file: no names');
  });
});
