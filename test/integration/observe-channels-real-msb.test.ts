/**
 * The SDK observe channel against the CLI one, over real msb 0.6.18 state in a temporary MSB_HOME holding every
 * shape owctl handles: each mount kind (bind rw/ro, named volume, sized tmpfs, msb's implicit /tmp and a declared
 * one), tcp/udp ports with both binds, env, labels, lifecycle limits, an OCI and a bind rootfs, Stopped / Running /
 * Crashed rows, a label change saved for the next start, a declared name held by another project and one held by an
 * unlabelled sandbox, owned sandboxes no longer declared, foreign and unlabelled sandboxes nobody declared, and a
 * declared image that is not cached. Both channels must give the identical ObservedState and the identical plan,
 * and the SDK channel must really have been used (no silent fallback).
 *
 * The SDK reads MSB_HOME from the process environment and keeps the first one it opens, so this file sets it once
 * for its own process (node's test runner runs each file in a process of its own). Statuses other than Stopped are
 * written into msb's SQLite state (sqlite3 CLI); without sqlite3 the test is skipped.
 */
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadDesiredState } from '../../src/config/load.ts';
import type { DesiredState } from '../../src/model/desired.ts';
import type { ObservedSandbox, ObservedState, ServerHealth } from '../../src/model/observed.ts';
import { Msb } from '../../src/msb/driver.ts';
import { liveObserver } from '../../src/msb/live-observer.ts';
import { observe } from '../../src/msb/observe.ts';
import { loadSdk } from '../../src/msb/sdk-load.ts';
import { guessCursors, observeWithSdk } from '../../src/msb/sdk-observe.ts';
import { plan } from '../../src/plan/planner.ts';
import { MSB_BIN, appendRuntimeLog, hasSqlite, makeMsbHome, populateSandbox, setRecordedStatus, type MsbHome } from '../helpers/msb-home.ts';
import { applyFast, loadTestImage } from './fast-create.ts';

const PROJECT = 'eq';
const CACHED = 'owctl-eq:1';
const NOT_CACHED = 'owctl-eq:missing';
const TOKENS = { OPENWORK_TOKEN: 'eq-client-token-0123456789', OPENWORK_HOST_TOKEN: 'eq-host-token-0123456789' };

function yaml(project: string, sandboxes: Record<string, string[]>): string {
  const lines = [
    'version: 1',
    `project: ${project}`,
    'defaults:',
    `  image: ${CACHED}`,
    '  pull: never',
    '  resources: { cpus: 1, memory: 256M }',
    '  tokens: { client: "${OPENWORK_TOKEN}", host: "${OPENWORK_HOST_TOKEN}" }',
    'sandboxes:',
  ];
  for (const [name, body] of Object.entries(sandboxes)) {
    lines.push(`  ${name}:`, `    mounts:`, `      - { type: bind, source: ./.owctl/${name}/workspace, target: /workspace }`);
    lines.push(...body.map((line) => `    ${line}`));
  }
  return `${lines.join('\n')}\n`;
}

const DECLARED: Record<string, string[]> = {
  full: [
    '  - { type: bind, source: ./.owctl/full/ro, target: /ro, readonly: true }',
    '  - { type: volume, source: eq-cache, target: /cache }',
    '  - { type: tmpfs, target: /scratch, size: 64M }',
    'resources: { cpus: 2, memory: 512M }',
    'ports:',
    '  - { host: 18871, guest: 8787 }',
    '  - { host: 18872, guest: 53, bind: 0.0.0.0, protocol: udp }',
    'env: { OPENWORK_APPROVAL_MODE: auto, EMPTY: "" }',
    'labels: { team: research }',
    'idle_timeout: 30m',
    'max_duration: 8h',
  ],
  owntmp: ['  - { type: tmpfs, target: /tmp, size: 32M }'],
  running: ['ports: [{ host: 18873, guest: 8787 }]'],
  crashed: [],
  pending: ['labels: { team: next }'],
  stopped: [],
  absent: [],
  uncached: [`image: ${NOT_CACHED}`],
  theirs: [],
  plain: [],
};

describe('observe: the SDK channel and the CLI channel see the same state', () => {
  let home: MsbHome;
  let desired: DesiredState;
  let env: NodeJS.ProcessEnv;
  let skip: string | undefined;

  before(async () => {
    if (!(await hasSqlite())) {
      skip = 'sqlite3 is not installed (needed to record Running and Crashed rows)';
      return;
    }
    home = await makeMsbHome();
    // The SDK opens the MSB_HOME of its process: this file's process uses this home only.
    for (const key of ['OWCTL_MSB', 'MSB_PATH', 'MSB_BACKEND', 'MSB_PROFILE', 'MSB_API_KEY', 'OWCTL_OBSERVE']) delete process.env[key];
    process.env.MSB_HOME = home.home;
    env = { ...process.env, ...TOKENS };
    const msbEnv = { ...home.env } as Record<string, string>;
    const dir = join(home.root, 'project');
    await mkdir(dir);
    // The image and the volume first (sandboxes use them); most sandboxes then at once: msb 0.6.18 records creates
    // run side by side (owctl's apply runs them so), and the time is spent waiting on msb.
    await Promise.all([loadTestImage(home.root, CACHED, msbEnv), home.msb(['volume', 'create', 'eq-cache']).then((r) => assert.equal(r.exitCode, 0, r.stderr))]);

    // Owned sandboxes no longer in the file, a foreign project's and a declared name held by another project.
    const gone = join(dir, 'gone.yaml');
    await writeFile(gone, yaml(PROJECT, { orphan: [], 'orphan-running': [] }));
    const foreign = join(dir, 'foreign.yaml');
    await writeFile(foreign, yaml('someone-else', { theirs: [], 'zz-foreign': [] }));
    const file = join(dir, 'openwork.yaml');
    await writeFile(file, yaml(PROJECT, DECLARED));
    // The first four rows are created before the rest: the cursor test below reads them as rows whose ids follow
    // each other, which sandboxes created side by side do not always have.
    await applyFast(gone, { ...msbEnv, ...TOKENS });
    await applyFast(foreign, { ...msbEnv, ...TOKENS });
    await Promise.all([
      // Unlabelled: one holding a declared name, one nobody declared; and an owned bind-rootfs sandbox.
      populateSandbox(home, 'plain'),
      populateSandbox(home, 'zz-plain'),
      populateSandbox(home, 'bindroot', { labels: { 'owctl.dev/project': PROJECT }, ports: ['0.0.0.0:18874:8787'], env: { A: '1' } }),
      applyFast(file, { ...msbEnv, ...TOKENS }, { names: ['full', 'owntmp', 'running', 'crashed', 'pending', 'stopped'] }),
    ]);
    desired = (await loadDesiredState(file, env as Record<string, string>)).desired!;

    for (const name of ['running', 'pending', 'orphan-running', 'bindroot']) assert.ok(await setRecordedStatus(home, name, 'Running'));
    assert.ok(await setRecordedStatus(home, 'crashed', 'Crashed'));
    // A label change saved for the next start of a running sandbox (what apply does for label-only updates).
    assert.equal((await home.msb(['modify', 'pending', '--label', 'team=next', '--next-start'])).exitCode, 0);
    // msb's runtime logs an idle drain (crates/runtime/lib/vm.rs): `full` reads as stopped by its idle_timeout.
    await appendRuntimeLog(home, 'full', 'sandbox idle, requesting guest shutdown idle_secs=1800 active_exec_sessions=0');
  });
  after(() => home?.cleanup());

  const probe = async (sandbox: ObservedSandbox): Promise<ServerHealth> => (sandbox.name === 'running' ? 'up' : sandbox.name === 'bindroot' ? 'unknown' : 'down');

  it('gives identical ObservedState and identical plans, through the SDK for real', async (t) => {
    if (skip !== undefined) return t.skip(skip);
    const sdkObserver = liveObserver(new Msb(MSB_BIN, env), { path: MSB_BIN, source: 'bundled' }, env);
    const cliEnv = { ...env, OWCTL_OBSERVE: 'cli' };
    const cliObserver = liveObserver(new Msb(MSB_BIN, cliEnv), { path: MSB_BIN, source: 'bundled' }, cliEnv);
    assert.equal(sdkObserver.choice.channel, 'sdk', sdkObserver.choice.reason);
    assert.equal(cliObserver.choice.channel, 'cli');

    const viaSdk = await sdkObserver.observe(desired, { parallelism: 8, probe });
    assert.equal(sdkObserver.choice.channel, 'sdk', `the SDK channel fell back: ${sdkObserver.choice.reason}`);
    const viaCli = await cliObserver.observe(desired, { parallelism: 8, probe });
    assert.deepEqual(viaSdk, viaCli);
    assert.deepEqual(plan(desired, viaSdk), plan(desired, viaCli));

    // The state really holds every shape (so the comparison above compared something).
    const byName = new Map(viaSdk.sandboxes.map((s) => [s.name, s]));
    assert.deepEqual([...byName.keys()], ['bindroot', 'crashed', 'full', 'orphan', 'orphan-running', 'owntmp', 'pending', 'plain', 'running', 'stopped', 'theirs']);
    assert.deepEqual(
      Object.fromEntries([...byName].map(([name, s]) => [name, `${s.status}/${s.server}`])),
      {
        bindroot: 'Running/unknown',
        crashed: 'Crashed/unknown',
        full: 'Stopped/unknown',
        orphan: 'Stopped/unknown',
        'orphan-running': 'Running/down',
        owntmp: 'Stopped/unknown',
        pending: 'Running/down',
        plain: 'Stopped/unknown',
        running: 'Running/up',
        stopped: 'Stopped/unknown',
        theirs: 'Stopped/unknown',
      },
    );
    const full = byName.get('full')!;
    assert.deepEqual(full.mounts.map((m) => m.type).sort(), ['bind', 'bind', 'tmpfs', 'volume']);
    assert.deepEqual(full.ports.map((p) => `${p.bind}:${p.host}/${p.protocol}`), ['127.0.0.1:18871/tcp', '0.0.0.0:18872/udp']);
    assert.deepEqual([full.idleTimeoutSecs, full.maxDurationSecs, full.labels.team, full.env.EMPTY], [1800, 28800, 'research', '']);
    // Both channels read msb's system log of a stopped sandbox with a policy; the others have no cause.
    assert.deepEqual(viaSdk.sandboxes.filter((s) => s.stoppedBy !== undefined).map((s) => [s.name, s.stoppedBy]), [['full', 'idle_timeout']]);
    assert.ok(byName.get('owntmp')!.mounts.some((m) => m.type === 'tmpfs' && m.target === '/tmp'));
    assert.equal(byName.get('pending')!.labels.team, 'next');
    assert.equal(byName.get('bindroot')!.image, home.fastFailPath);
    assert.notEqual(viaSdk.images[CACHED], null);
    assert.equal(viaSdk.images[NOT_CACHED], null);
    const planned = plan(desired, viaSdk);
    assert.deepEqual(planned.conflicts.map((c) => [c.sandbox, c.owner]), [['plain', null], ['theirs', 'someone-else']]);
    assert.deepEqual(
      planned.changes.filter((c) => c.action === 'create' || c.action === 'delete').map((c) => `${c.action} ${c.sandbox}`),
      ['create absent', 'delete bindroot', 'delete orphan', 'delete orphan-running', 'create uncached'],
    );
  });

  it('leaves msb free to change state after an SDK observe in the same process, and the next snapshot sees it', async (t) => {
    if (skip !== undefined) return t.skip(skip);
    const msb = new Msb(MSB_BIN, env);
    const observer = () => liveObserver(msb, { path: MSB_BIN, source: 'bundled' }, env);
    await observer().observe(desired, { parallelism: 4 });
    await msb.modify('stopped', { labels: { team: 'moved' } });
    await msb.remove('orphan', { force: true });
    const first = observer();
    const after = await first.observe(desired, { parallelism: 4 });
    assert.equal(first.choice.channel, 'sdk', first.choice.reason);
    assert.equal(after.sandboxes.find((s) => s.name === 'stopped')?.labels.team, 'moved');
    assert.equal(after.sandboxes.some((s) => s.name === 'orphan'), false);
    assert.deepEqual(after, await observe(msb, desired, { parallelism: 4 }));
  });

  it("guesses msb's next list cursor right when the project's rows follow each other", async (t) => {
    if (skip !== undefined) return t.skip(skip);
    // What the list walk's look-ahead rests on (sdk-observe.ts): in msb 0.6.18 a page's cursor is the last row's
    // id, so the cursor one page further down can be worked out, and listing from it gives msb's own next page.
    const sdk = await loadSdk();
    const page = (cursor?: string) => sdk.Sandbox.listWith((l) => (cursor === undefined ? l : l.cursor(cursor)).limit(1));
    const first = await page();
    const second = await page(first.nextCursor);
    assert.ok(first.nextCursor !== undefined && second.nextCursor !== undefined);
    assert.deepEqual(guessCursors(first.nextCursor, undefined, 1, 1), [second.nextCursor]);
    const [guess] = guessCursors(second.nextCursor, first.nextCursor, 1, 1);
    const third = await page(second.nextCursor);
    assert.equal(guess, third.nextCursor);
    assert.deepEqual((await page(guess)).sandboxes.map((h) => h.name), (await page(third.nextCursor)).sandboxes.map((h) => h.name));
  });

  it('pages through the list: two at a time gives the same sandboxes as the CLI', async (t) => {
    if (skip !== undefined) return t.skip(skip);
    const paged = await observeWithSdk(await loadSdk(), desired, { parallelism: 4, pageSize: 2 });
    const cli: ObservedState = await observe(new Msb(MSB_BIN, env), desired, { parallelism: 4 });
    assert.deepEqual(paged, cli);
  });
});
