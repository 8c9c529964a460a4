/**
 * Commands that need no token value work with the token variables unset (a fork's pull request has no secrets);
 * plan and apply still require them. Runs the CLI in-process against the real msb in a temporary MSB_HOME.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { MSB_BIN, makeMsbHome, type MsbHome } from '../helpers/msb-home.ts';

const YAML = [
  'version: 1',
  'project: fork',
  'sandboxes:',
  '  alice:',
  '    image: openwork-microsandbox:dev',
  '    ports: [{ host: 18787, guest: 8787 }]',
  '    tokens: { client: "${OPENWORK_TOKEN}", host: "${OPENWORK_HOST_TOKEN}" }',
  '    env:',
  '      SIDECAR_PASSWORD: "${OPENWORK_TOKEN}"',
  '      MODEL_API_KEY: { value: "${MODEL_API_KEY}", sensitive: true }',
  '',
].join('\n');

describe('commands with the token variables unset', () => {
  let home: MsbHome;
  let dir: string;
  const env = () => ({ PATH: process.env.PATH, HOME: process.env.HOME, MSB_HOME: home.home, OWCTL_MSB: MSB_BIN });
  const owctl = (args: string[]) => runCli(args, { env: env(), cwd: dir });

  before(async () => {
    home = await makeMsbHome();
    dir = home.root;
    await writeFile(join(dir, 'openwork.yaml'), YAML);
  });
  after(() => home.cleanup());

  it('validate passes, naming each unset secret variable', async () => {
    const result = await owctl(['validate']);
    assert.equal(result.code, 0, result.stderr);
    for (const name of ['OPENWORK_TOKEN', 'OPENWORK_HOST_TOKEN', 'MODEL_API_KEY']) assert.match(result.stderr, new RegExp(`${name} is not set`));
    const json = await owctl(['validate', '--json']);
    assert.equal(JSON.parse(json.stdout).valid, true);
    assert.ok(JSON.parse(json.stdout).warnings.length >= 3);
  });

  it('validate still checks everything else', async () => {
    await writeFile(join(dir, 'bad.yaml'), YAML.replace('host: 18787', 'host: 99999'));
    const result = await owctl(['-f', 'bad.yaml', 'validate']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /ports\[0\]\.host/);
    assert.match(result.stderr, /OPENWORK_TOKEN is not set/);
  });

  it('status and destroy work; connect gets past the file (and stops only because the sandbox does not exist)', async () => {
    const status = await owctl(['status', '--json']);
    assert.equal(status.code, 0, status.stderr);
    const destroy = await owctl(['destroy', '--auto-approve']);
    assert.equal(destroy.code, 0, destroy.stderr);
    const connect = await owctl(['connect', 'alice']);
    assert.doesNotMatch(connect.stderr, /is not set/);
    assert.match(connect.stderr, /alice does not exist/);
  });

  it('logs gets past the file (and fails only because the sandbox does not exist)', async () => {
    const logs = await owctl(['logs', 'alice']);
    assert.equal(logs.code, 1);
    assert.doesNotMatch(logs.stderr, /is not set/);
  });

  it('plan, apply and connect --show-token still require them, with the usual error', async () => {
    for (const args of [['plan'], ['apply', '--auto-approve'], ['connect', 'alice', '--show-token']]) {
      const result = await owctl(args);
      assert.equal(result.code, 1, args.join(' '));
      assert.match(result.stderr, /variable OPENWORK_TOKEN is not set/, args.join(' '));
    }
  });
});
