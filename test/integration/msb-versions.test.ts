/**
 * msb 0.7 readiness, with both real binaries side by side: the bundled 0.6.18 and the test-only 0.7.2. What 0.7
 * does to a 0.6 MSB_HOME (a one-way migration on its first database command), what owctl says about it before
 * (doctor) and after (the schema-newer error), a failed boot ending Crashed, and creates run at once.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { OwctlError } from '../../src/errors.ts';
import { Msb } from '../../src/msb/driver.ts';
import { bundledMsb } from '../../src/msb/locate.ts';
import { mapLimit } from '../../src/msb/map-limit.ts';
import { runCli } from '../helpers/cli.ts';
import { MSB_07_BIN, hasSqlite } from '../helpers/msb-home.ts';
import { writeOciImage } from '../helpers/oci-image.ts';
import { desired } from '../msb/desired.ts';
import { recordingSpawner } from '../msb/recording-spawner.ts';

const M6 = bundledMsb()!;
const M7 = MSB_07_BIN;
const exec = promisify(execFile);

async function msb(bin: string, home: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(bin, args, { env: { PATH: process.env.PATH, MSB_HOME: home, NO_COLOR: '1' } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

// The two suites share nothing (each its own folder and MSB_HOME): they run at once, their time is msb's. Within
// each, the tests run in order (concurrency 1: a suite would inherit its parent's).
describe('msb 0.6.18 and 0.7.2 side by side', { concurrency: true }, () => {
  describe('msb 0.7 against a home msb 0.6.18 made', { concurrency: 1 }, () => {
    let root: string;
    let home: string;
    const owctl = (args: string[], bin: string) => runCli(args, { env: { PATH: process.env.PATH, HOME: root, MSB_HOME: home, OWCTL_MSB: bin, TOKEN_C: 'c'.repeat(24), TOKEN_H: 'h'.repeat(24) }, cwd: root });

    before(async () => {
      root = await mkdtemp(join(tmpdir(), 'owctl-msb07-'));
      home = join(root, 'home');
      await mkdir(join(root, 'rootfs'));
      await msb(M6, home, ['create', '--quiet', '--name', 'old', `${root}/rootfs/../rootfs`]);
      const { writeFile } = await import('node:fs/promises');
      await writeFile(
        join(root, 'openwork.yaml'),
        'version: 1\nproject: v\nsandboxes:\n  old:\n    image: x:1\n    pull: never\n    tokens: { client: "${TOKEN_C}", host: "${TOKEN_H}" }\n',
      );
    });
    after(() => rm(root, { recursive: true, force: true }));

    it('doctor with msb 0.7 warns that the home would be migrated, and does not migrate it itself', async () => {
      const result = await owctl(['doctor', '--json'], M7);
      const report = JSON.parse(result.stdout);
      assert.equal(report.version.found, '0.7.2');
      assert.ok(report.warnings.some((w: string) => /msb 0\.7\.2 will migrate MSB_HOME .* one way: msb 0\.6\.18 then fails every command/.test(w)), report.warnings.join('\n'));
      assert.equal((await msb(M6, home, ['ls', '--format', 'json'])).code, 0, 'msb 0.6.18 still reads the home after doctor');
      assert.equal(report.observe.channel, 'cli', 'msb 0.7 is never observed through the bundled 0.6.18 SDK');
      const pinned = JSON.parse((await owctl(['doctor', '--json'], M6)).stdout);
      assert.ok(!pinned.warnings.some((w: string) => /migrate/.test(w)), 'no warning with msb 0.6.18');
    });

    it('after msb 0.7 has run, 0.6.18 fails with msb.home_newer and a hint naming the downgrade', async () => {
      assert.equal((await msb(M7, home, ['ls', '--format', 'json'])).code, 0);
      const raw = await msb(M6, home, ['ls', '--format', 'json']);
      assert.match(raw.stderr, /database schema is newer than this msb binary/);
      await assert.rejects(new Msb(M6, { MSB_HOME: home }).list(), (e: unknown) => e instanceof OwctlError && e.code === 'msb.home_newer');
      const planned = await owctl(['plan', '--json'], M6);
      assert.equal(planned.code, 1);
      const error = JSON.parse(planned.stdout).error;
      assert.equal(error.code, 'msb.home_newer');
      assert.match(error.hint, /downgrade/);
      assert.match(error.hint, /--msb PATH/);
      const migrated = JSON.parse((await owctl(['doctor', '--json'], M7)).stdout);
      assert.ok(!migrated.warnings.some((w: string) => /migrate/.test(w)), 'already migrated: nothing to warn about');
      const withNew = await owctl(['plan', '--json'], M7);
      const conflict = JSON.parse(withNew.stdout).error;
      assert.deepEqual([conflict.code, conflict.details.conflicts[0].sandbox], ['plan.conflict', 'old'], 'msb 0.7 reads it: the unlabelled sandbox is a conflict');
    });
  });

  describe('msb 0.7: failed boots and creates run at once', { concurrency: 1 }, () => {
    let root: string;
    let home: string;

    before(async () => {
      root = await mkdtemp(join(tmpdir(), 'owctl-msb07-'));
      home = join(root, 'home');
      await mkdir(join(root, 'rootfs'));
      const image = await writeOciImage(root, { ref: 'owctl-test:1' });
      assert.equal((await msb(M7, home, ['load', '--quiet', '-i', image.archive, '-t', image.ref])).code, 0);
    });
    after(() => rm(root, { recursive: true, force: true }));

    it('parallel creates through owctl\'s driver all end up recorded (lost records are created again)', async () => {
      const spawner = recordingSpawner();
      const driver = new Msb(M7, { MSB_HOME: home }, { spawner });
      /** msb's answers to the creates of `name`, in order: what a failure below quotes. */
      const answersTo = (name: string) =>
        spawner.requests
          .filter((request) => request.args[0] === 'create' && request.args[request.args.indexOf('--name') + 1] === name)
          .map((request) => spawner.results.get(request))
          .map((result) => (result === undefined ? 'no answer' : `exit ${result.exitCode}: ${result.stderr.trim()}`))
          .join(' | then | ');
      const names = Array.from({ length: 24 }, (_, i) => `p${String(i).padStart(2, '0')}`);
      const failFast = { type: 'bind' as const, source: `${root}/rootfs/../rootfs`, target: '/ff', readonly: false };
      const codes: string[] = [];
      const failures = new Map<string, string>();
      await mapLimit(names, 8, async (name) => {
        try {
          await driver.create(desired(name, { mounts: [failFast] }), { 'owctl.dev/project': 'race' });
        } catch (error) {
          codes.push((error as OwctlError).code);
          failures.set(name, `${(error as OwctlError).code}: ${(error as Error).message}; msb answered: ${answersTo(name)}`);
        }
      });
      assert.ok(codes.every((code) => code === 'msb.start_failed'), [...failures].filter(([, text]) => !text.startsWith('msb.start_failed')).map(([name, text]) => `${name}: ${text}`).join('\n'));
      const listed = (await driver.list({ 'owctl.dev/project': 'race' })).map((s) => s.name).sort();
      // When one is missing, say what its create answered and what msb holds now (msb 0.7 has lost records saying only
      // `failed to start`, and failed creates with a database error: the driver now looks before it believes either).
      const missing: string[] = [];
      for (const name of names.filter((name) => !listed.includes(name))) {
        const record = await driver.inspect(name);
        missing.push(`${name}: ${failures.get(name) ?? 'no error'}; now: ${record === null ? 'no record' : JSON.stringify({ status: record.status, labels: record.labels })}`);
      }
      assert.deepEqual(listed, names, missing.join('\n'));
      // 0.7 ends a failed boot Crashed or Stopped at random; `ls --stopped` leaves Crashed out, owctl's `ls` does not.
      const statuses = new Set((await driver.list()).map((s) => s.status));
      assert.ok([...statuses].every((s) => s === 'Stopped' || s === 'Crashed'), [...statuses].join(','));
    });

    it('plans a Crashed sandbox like a Stopped one: started, its server launched', async (t) => {
      if (!(await hasSqlite())) return t.skip('needs the sqlite3 CLI to pin the recorded status');
      const { writeFile } = await import('node:fs/promises');
      const env = { PATH: process.env.PATH, HOME: root, MSB_HOME: home, OWCTL_MSB: M7, TOKEN_C: 'c'.repeat(24), TOKEN_H: 'h'.repeat(24) };
      await writeFile(join(root, 'openwork.yaml'), 'version: 1\nproject: race\nsandboxes:\n  p00:\n    image: owctl-test:1\n    pull: never\n    tokens: { client: "${TOKEN_C}", host: "${TOKEN_H}" }\n');
      for (const status of ['Crashed', 'Stopped']) {
        await exec('sqlite3', [join(home, 'db', 'msb.db'), `UPDATE sandbox SET status = '${status}' WHERE name = 'p00'`]);
        const planned = JSON.parse((await runCli(['plan', '--json', '--target', 'p00'], { env, cwd: root })).stdout);
        const change = planned.changes[0];
        assert.equal(change.status, status);
        assert.ok(change.action === 'start' || change.action === 'replace', change.action);
        assert.equal(change.start, true);
        if (change.action === 'start') assert.equal(change.reason, `is ${status}; will be started and its server launched`);
      }
    });
  });
});
