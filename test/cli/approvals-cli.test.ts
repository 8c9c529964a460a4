/** `owctl approvals` wiring: options before or after an answer's arguments, usage errors, completion of its answers. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli } from '../helpers/cli.ts';

describe('owctl approvals on the command line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'owctl-approvals-cli-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('--json and -f are taken before or after an answer\'s arguments (a missing file is the JSON error document)', async () => {
    for (const args of [['approvals', 'allow', 'alice', 'x', '--json', '-f', 'other.yaml'], ['approvals', '--json', '-f', 'other.yaml', 'deny', 'alice', 'x'], ['-f', 'other.yaml', 'approvals', '--json']]) {
      const result = await runCli(args, { cwd: dir });
      assert.equal(result.code, 1, args.join(' '));
      const error = JSON.parse(result.stdout).error;
      assert.deepEqual([error.code, error.details.file], ['config.not_found', join(dir, 'other.yaml')], args.join(' '));
    }
  });

  it('an answer needs the sandbox and the id; the usage error names the approvals help', async () => {
    const missing = await runCli(['approvals', 'allow', 'alice'], { cwd: dir });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /missing required argument 'ID'\nhint: run `owctl approvals --help` for usage/);
  });

  it('bash completion offers the answers after approvals', async () => {
    const script = (await runCli(['completion', 'bash'])).stdout;
    assert.match(script, /approvals\) COMPREPLY=\(\$\(compgen -W "--json --help allow deny"/);
  });
});
