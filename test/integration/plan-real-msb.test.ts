/**
 * `owctl plan` (and validate, doctor) end to end against the real msb 0.6.18, one intent per test. Each test has its
 * own MSB_HOME and project folder; sandboxes are recorded by owctl's own driver with owctl's labels (fast-create.ts)
 * and run through the CLI in-process with a minimal environment. Every run also proves that no token value it ever
 * used reaches stdout or stderr (real-project.ts).
 *
 * Faking a Running sandbox needs the sqlite3 CLI (test/helpers/msb-home.ts); without it those steps are skipped.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { DoctorReport } from '../../src/commands/doctor.ts';
import type { Change } from '../../src/model/plan.ts';
import { runCli } from '../helpers/cli.ts';
import { FAILED_BOOT_STATUSES, IS_MSB_07, MSB_BIN, MSB_VERSION, hasSqlite, planBootCode, runMsb } from '../helpers/msb-home.ts';
import { IMAGE_1, IMAGE_2, projectYaml } from './project-yaml.ts';
import { assertNoSecrets, createUnmanaged, makeProject, type RealProject } from './real-project.ts';

const PROJECT = 'itp';
const SUMMARY_ZERO = { create: 0, update: 0, replace: 0, delete: 0, start: 0, noop: 0 };

async function project(t: TestContext, ...images: string[]): Promise<RealProject> {
  const made = await makeProject();
  t.after(() => made.cleanup());
  for (const image of images.length > 0 ? images : [IMAGE_1]) await made.loadImage(image);
  return made;
}

function actions(changes: Change[]): Record<string, string> {
  return Object.fromEntries(changes.map((change) => [change.sandbox, change.action]));
}

function fieldPaths(changes: Change[], sandbox: string): string[] {
  return changes.find((change) => change.sandbox === sandbox)?.fields.map((field) => field.path) ?? [];
}

// Not at once: run side by side (each its own MSB_HOME), these failed now and then with msb errors ("msb inspect
// failed (exit 1)", "unexpected output from msb image inspect: not JSON") at a load average of 20; not yet explained.
describe('owctl plan against the real msb', () => {
  it('plans a create for every declared sandbox in an empty MSB_HOME, and creates no folder', async (t) => {
    const p = await project(t);
    await p.write(projectYaml(PROJECT, { a: {}, b: { ports: ['18787:8787'] } }));

    const { code, plan } = await p.plan(['--json']);
    assert.equal(code, await planBootCode(0), 'a host that cannot boot fails the preflight');
    assert.deepEqual(actions(plan!.changes), { a: 'create', b: 'create' });
    assert.deepEqual(plan!.summary, { ...SUMMARY_ZERO, create: 2 });
    const token = plan!.changes[0]!.fields.find((field) => field.path === 'env.OPENWORK_TOKEN');
    assert.deepEqual([token?.sensitive, token?.after], [true, '(sensitive value)']);
    assert.ok(fieldPaths(plan!.changes, 'b').includes('ports[127.0.0.1:18787/tcp]'));

    const human = await p.plan();
    assert.equal(human.code, await planBootCode(0));
    assert.match(human.stdout, /\+ sandbox "a" \{/);
    assert.match(human.stdout, /\+ sandbox "b" \{/);
    assert.match(human.stdout, /Plan: 2 to add, 0 to change, 0 to replace, 0 to destroy, 0 to start\./);
    assert.equal(existsSync(join(p.dir, '.owctl')), false, 'plan must not create bind-mount folders');
  });

  it('plans an in-place update when only the memory changed in the file', async (t) => {
    const p = await project(t);
    await p.write(projectYaml(PROJECT, { a: { memory: '256M' } }));
    await p.applyFast();
    await p.write(projectYaml(PROJECT, { a: { memory: '512M' } }));

    const { plan } = await p.plan(['--json']);
    assert.deepEqual(actions(plan!.changes), { a: 'update' });
    assert.deepEqual(
      plan!.changes[0]!.fields.map((f) => [f.path, f.before, f.after, f.origin]),
      [['resources.memory', '256M', '512M', 'file']],
    );

    const human = await p.plan();
    assert.match(human.stdout, /~ resources\.memory = "256M" -> "512M"/);
    assert.match(human.stdout, /Plan: 0 to add, 1 to change, 0 to replace, 0 to destroy, 0 to start\./);
  });

  it('plans a replace for a changed image, port or mount, naming each forcing field', async (t) => {
    const p = await project(t, IMAGE_1, IMAGE_2);
    await p.write(projectYaml(PROJECT, { img: {}, mnt: {}, port: { ports: ['18801:8787'] } }));
    await p.applyFast();
    await p.write(
      projectYaml(PROJECT, {
        img: { image: IMAGE_2 },
        mnt: { binds: ['./.owctl/mnt/elsewhere:/workspace'] },
        port: { ports: ['18802:8787'] },
      }),
    );

    const { plan } = await p.plan(['--json']);
    assert.deepEqual(actions(plan!.changes), { img: 'replace', mnt: 'replace', port: 'replace' });
    assert.deepEqual(fieldPaths(plan!.changes, 'img'), ['image']);
    assert.deepEqual(fieldPaths(plan!.changes, 'mnt'), ['mounts[/workspace]']);
    assert.deepEqual(fieldPaths(plan!.changes, 'port'), ['ports[127.0.0.1:18801/tcp]', 'ports[127.0.0.1:18802/tcp]']);
    for (const change of plan!.changes) assert.ok(change.fields.every((f) => f.disposition === 'replace'), change.sandbox);
    assert.match(plan!.changes.find((c) => c.sandbox === 'img')!.reason, /\(image cannot change in place\)/);
    assert.deepEqual(plan!.summary, { ...SUMMARY_ZERO, replace: 3 });

    const human = await p.plan();
    assert.match(human.stdout, /~ image += "owctl-it:1" -> "owctl-it:2" # forces replacement/);
    assert.match(human.stdout, /~ mounts\[\/workspace\] = ".*\/\.owctl\/mnt\/workspace \(writable\)" -> ".*\/\.owctl\/mnt\/elsewhere \(writable\)" # forces replacement/);
    assert.match(human.stdout, /- ports\[127\.0\.0\.1:18801\/tcp\] = "127\.0\.0\.1:18801->8787\/tcp" # forces replacement/);
    assert.match(human.stdout, /\+ ports\[127\.0\.0\.1:18802\/tcp\] = "127\.0\.0\.1:18802->8787\/tcp" # forces replacement/);
    assert.match(human.stdout, /Plan: 0 to add, 0 to change, 3 to replace, 0 to destroy, 0 to start\./);
  });

  it('plans a replace when the tokens change, showing neither the old nor the new value', async (t) => {
    const p = await project(t);
    await p.write(projectYaml(PROJECT, { a: {} }));
    await p.applyFast();
    p.rotateTokens();

    const { plan } = await p.plan(['--json']);
    assert.deepEqual(actions(plan!.changes), { a: 'replace' });
    assert.match(plan!.changes[0]!.reason, /\(tokens cannot change in place\)/);
    for (const field of plan!.changes[0]!.fields) {
      assert.deepEqual([field.path.startsWith('env.OPENWORK_'), field.sensitive, field.before, field.after], [true, true, '(sensitive value)', '(sensitive value)']);
    }
    const human = await p.plan();
    assert.match(human.stdout, /~ env\.OPENWORK_TOKEN += \(sensitive value\) -> \(sensitive value\)/);
  });

  it('plans a delete for an owned sandbox removed from the file', async (t) => {
    const p = await project(t);
    await p.write(projectYaml(PROJECT, { a: {}, gone: {} }));
    await p.applyFast();
    await p.write(projectYaml(PROJECT, { a: {} }));

    const { plan } = await p.plan(['--json']);
    assert.equal(plan!.changes.find((c) => c.sandbox === 'gone')?.action, 'delete');
    assert.equal(plan!.summary.delete, 1);

    const human = await p.plan();
    assert.match(human.stdout, /- sandbox "gone" \{/);
    assert.match(human.stdout, /# gone will be destroyed \(it is no longer in the file\)/);
    assert.match(human.stdout, /1 to destroy/);
  });

  it('plans a start for a stopped sandbox that matches the file', async (t) => {
    const p = await project(t);
    await p.write(projectYaml(PROJECT, { a: {} }));
    await p.applyFast();

    const { plan } = await p.plan(['--json']);
    assert.deepEqual(actions(plan!.changes), { a: 'start' });
    assert.deepEqual(plan!.changes[0]!.fields, []);
    assert.ok(FAILED_BOOT_STATUSES.includes(plan!.changes[0]!.status!), plan!.changes[0]!.status);

    const human = await p.plan();
    assert.match(human.stdout, new RegExp(`# a is ${plan!.changes[0]!.status}; will be started`), 'Crashed (msb 0.7) is planned like Stopped');
    assert.match(human.stdout, /> sandbox "a" \{/);
    assert.match(human.stdout, /Plan: 0 to add, 0 to change, 0 to replace, 0 to destroy, 1 to start\./);
  });

  it('probes a Running sandbox on its published 8787 port: no-op while /health answers 200, start once it does not', async (t) => {
    if (!(await hasSqlite())) return t.skip('needs the sqlite3 CLI to fake a Running sandbox');
    const p = await project(t);
    const paths: string[] = [];
    const server = createServer((request, response) => {
      paths.push(request.url ?? '');
      response.writeHead(request.url === '/health' ? 200 : 404).end();
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    t.after(() => new Promise((done) => server.close(done)));
    const port = (server.address() as AddressInfo).port;
    await p.write(projectYaml(PROJECT, { a: { ports: [`${port}:8787`] } }));
    await p.applyFast();
    assert.ok(await p.setStatus('a', 'Running'));

    const up = await p.plan(['--json']);
    assert.deepEqual(actions(up.plan!.changes), { a: 'noop' });
    // With the client token the probe asks for the workspaces next, to reach OpenCode; this stub has none. Access
    // observation then reads the issued tokens and the server's uptime (earlier boots' owner tokens).
    assert.deepEqual(paths.slice(0, 2), ['/health', '/workspaces']);
    assert.deepEqual([...paths].sort(), ['/health', '/health', '/tokens', '/workspaces']);

    await new Promise((done) => server.close(done));
    const down = await p.plan(['--json']);
    assert.deepEqual(actions(down.plan!.changes), { a: 'start' });
    assert.match(down.plan!.changes[0]!.reason, /OpenWork server or the OpenCode behind it does not answer/);
  });

  it('refuses a declared name held by a sandbox owctl does not manage, saying how to resolve it', async (t) => {
    const p = await project(t);
    await createUnmanaged(p, 'taken');
    await p.write(projectYaml(PROJECT, { free: {}, taken: {} }));

    const json = await p.plan(['--json']);
    assert.equal(json.code, 1);
    const { error } = JSON.parse(json.stdout) as { error: { code: string; details: { conflicts: Array<{ sandbox: string; owner: string | null }> } } };
    assert.equal(error.code, 'plan.conflict');
    assert.deepEqual(error.details.conflicts.map((c) => [c.sandbox, c.owner]), [['taken', null]]);

    const human = await p.plan();
    assert.equal(human.code, 1);
    assert.equal(human.stdout, '');
    assert.match(human.stderr, /error: the name "taken" is held by a sandbox not managed by owctl/);
    assert.match(human.stderr, /hint: adopt taken with `owctl import taken` if it is the sandbox you declared, rename taken in the file, or remove the existing sandbox yourself \(`msb rm --force taken`\)/);
    assert.equal((await p.msb(['inspect', 'taken', '--format', 'json'])).exitCode, 0, 'the unmanaged sandbox is left alone');
  });

  it('never lists or deletes a sandbox of another project', async (t) => {
    const p = await project(t);
    await p.write(projectYaml(PROJECT, { a: {}, theirs: {} }));
    await p.applyFast({ names: ['theirs'], project: 'other' });
    await p.applyFast({ names: ['a'] });
    await p.write(projectYaml(PROJECT, { a: {} }));

    const { plan, stdout } = await p.plan(['--json']);
    assert.deepEqual(actions(plan!.changes), { a: 'start' });
    assert.doesNotMatch(stdout, /theirs/);
    const human = await p.plan();
    assert.doesNotMatch(human.stdout, /theirs/);
  });

  it('names the owning project when another project holds a declared name', async (t) => {
    const p = await project(t);
    await p.write(projectYaml(PROJECT, { shared: {} }));
    await p.applyFast({ project: 'other' });

    const human = await p.plan();
    assert.equal(human.code, 1);
    assert.match(human.stderr, /the name "shared" is held by a sandbox of owctl project "other", not by project "itp"/);
  });

  it('--target plans only the named sandboxes and rejects unknown names', async (t) => {
    const p = await project(t);
    await p.write(projectYaml(PROJECT, { a: { memory: '256M' }, b: { memory: '256M' } }));
    await p.applyFast();
    await p.write(projectYaml(PROJECT, { a: { memory: '512M' }, b: { memory: '512M' } }));

    const { plan } = await p.plan(['--json', '--target', 'b']);
    assert.deepEqual(actions(plan!.changes), { b: 'update' });
    assert.deepEqual(plan!.summary, { ...SUMMARY_ZERO, update: 1 });
    const human = await p.plan(['--target', 'b']);
    assert.doesNotMatch(human.stdout, /sandbox "a"/);
    assert.match(human.stdout, /Plan: 0 to add, 1 to change/);

    const unknown = await p.plan(['--target', 'nope']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /--target nope: no such sandbox/);
  });

  it('--detailed-exitcode: 2 with changes, 0 once live state matches (Running, no ports)', async (t) => {
    const p = await project(t);
    await p.write(projectYaml(PROJECT, { a: {} }));
    await p.applyFast();

    assert.equal((await p.plan(['--detailed-exitcode'])).code, await planBootCode(2), 'Stopped: a start is planned');
    assert.equal((await p.plan()).code, await planBootCode(0), 'without the flag, changes still exit 0');

    if (!(await hasSqlite())) return t.skip('needs the sqlite3 CLI to fake a Running sandbox');
    assert.ok(await p.setStatus('a', 'Running'));
    const { plan } = await p.plan(['--json', '--detailed-exitcode']);
    assert.deepEqual(actions(plan!.changes), { a: 'noop' });
    assert.equal(plan!.has_changes, false);
    const human = await p.plan(['--detailed-exitcode']);
    assert.equal(human.code, 0);
    assert.match(human.stdout, /^No changes\. Live sandboxes match openwork\.yaml \(project "itp"\)\.\n$/);
  });
});

describe('owctl validate and doctor against the real msb', () => {
  it('validate accepts the example openwork.yaml when its tokens are set', async (t) => {
    const home = await mkdtemp(join(tmpdir(), 'owctl-validate-'));
    t.after(() => rm(home, { recursive: true, force: true }));
    const file = fileURLToPath(new URL('../../openwork.yaml', import.meta.url));
    const secrets = ['alice-client-0123456789', 'alice-host-0123456789', 'bob-client-0123456789', 'bob-host-0123456789'];
    const [client, host, bobClient, bobHost] = secrets;
    const env = { PATH: process.env.PATH ?? '', HOME: home, OPENWORK_TOKEN: client, OPENWORK_HOST_TOKEN: host, BOB_OPENWORK_TOKEN: bobClient, BOB_OPENWORK_HOST_TOKEN: bobHost };

    const json = await runCli(['-f', file, 'validate', '--json'], { env, cwd: home });
    assertNoSecrets(json, secrets);
    assert.equal(json.code, 0, json.stdout);
    const result = JSON.parse(json.stdout) as { valid: boolean; sandboxes: string[]; diagnostics: unknown[] };
    assert.deepEqual([result.valid, result.diagnostics], [true, []]);
    assert.ok(result.sandboxes.includes('alice') && result.sandboxes.includes('bob'));
    const human = await runCli(['-f', file, 'validate'], { env, cwd: home });
    assertNoSecrets(human, secrets);
    assert.equal(human.code, 0);
    assert.match(human.stdout, /openwork\.yaml: valid \(\d+ sandboxes\)/);
  });

  it('doctor finds the pinned msb and exits 0 only when msb itself says the host can boot sandboxes', async (t) => {
    const p = await makeProject();
    t.after(() => p.cleanup());
    const host = await runMsb(['doctor'], { PATH: p.env.PATH!, HOME: p.env.HOME!, MSB_HOME: p.home.home, NO_COLOR: '1' });

    const { code, stdout } = await p.owctl(['doctor', '--json']);
    const report = JSON.parse(stdout) as DoctorReport;
    assert.equal(code, host.exitCode === 0 ? 0 : 1);
    assert.equal(report.ok, host.exitCode === 0);
    assert.deepEqual(report.msb && [report.msb.path, report.msb.source], [MSB_BIN, 'OWCTL_MSB']);
    assert.deepEqual(report.version, { found: MSB_VERSION, pinned: '0.6.18', matches: !IS_MSB_07 });
    assert.equal(report.backend?.kind, 'local');
    assert.equal((report as unknown as { msb_home: { path: string } }).msb_home.path, p.home.home);
    if (host.exitCode !== 0 && /CPU virt/.test(`${host.stdout}${host.stderr}`)) {
      assert.ok(report.problems.some((problem) => problem.code === 'host.no_cpu_virtualisation'));
    }

    const human = await p.owctl(['doctor']);
    assert.equal(human.code, code);
    assert.match(human.stdout, /^msb +✓ /m);
    assert.match(human.stdout, code === 0 ? /owctl can manage sandboxes on this host\./ : /owctl cannot fully work on this host/);
  });
});
