/**
 * msb stores sandbox env, tokens included, under MSB_HOME (db/msb.db-wal, mode 0644). doctor warns when other users
 * can read MSB_HOME; an MSB_HOME owctl creates is private.
 */
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { DoctorReport } from '../../src/commands/doctor.ts';
import { runCli } from '../helpers/cli.ts';
import { MSB_BIN } from '../helpers/msb-home.ts';

describe('MSB_HOME privacy', () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'owctl-home-'));
    await writeFile(
      join(root, 'openwork.yaml'),
      'version: 1\nproject: home\nsandboxes:\n  alice:\n    image: openwork-microsandbox:dev\n    tokens: { client: client-token-0123456789, host: host-token-0123456789ab }\n',
    );
  });
  after(() => rm(root, { recursive: true, force: true }));
  const env = (home: string) => ({ PATH: process.env.PATH, HOME: root, MSB_HOME: home, OWCTL_MSB: MSB_BIN });

  it('doctor warns when MSB_HOME is readable by other users, and not when it is private', async () => {
    const home = join(root, 'shared-home');
    await mkdir(home);
    await chmod(home, 0o755);
    const open = JSON.parse((await runCli(['doctor', '--json'], { env: env(home), cwd: root })).stdout) as DoctorReport;
    assert.ok(open.warnings.some((w) => /MSB_HOME .* readable by other users.*chmod 700/.test(w)), JSON.stringify(open.warnings));
    await chmod(home, 0o700);
    const closed = JSON.parse((await runCli(['doctor', '--json'], { env: env(home), cwd: root })).stdout) as DoctorReport;
    assert.ok(!closed.warnings.some((w) => /readable by other users/.test(w)), JSON.stringify(closed.warnings));
  });

  it('an MSB_HOME that does not exist yet is created private (0700)', async () => {
    const home = join(root, 'new-home');
    const status = await runCli(['status'], { env: env(home), cwd: root });
    assert.equal(status.code, 0, status.stderr);
    assert.equal((await stat(home)).mode & 0o777, 0o700);
  });
});
