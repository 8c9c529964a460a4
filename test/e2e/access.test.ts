/**
 * Team access as code, end to end through the msb simulator and the OpenWork fixture: per-person tokens issued by
 * the server, written once to a private file, rotated with no moment without a working token, revoked (401 after),
 * kept across a replacement with the token store in /data; the image's owner tokens from earlier boots revoked.
 * No token value in any output, label, plan file, event or msb argv.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PERSISTED_STATE_ENV } from '../../src/config/persisted-state.ts';
import { assertValid, compileSchema } from '../helpers/json-schema.ts';
import { Project, SIMULATOR_ONLY, freePort, json, tokens, type SandboxSpec, type Tokens } from './harness.ts';

type Spec = SandboxSpec & { tokens: Tokens };

async function status(spec: Spec, path: string, headers: Record<string, string>, init: { method?: string; body?: unknown } = {}): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${spec.port}${path}`, {
    method: init.method ?? 'GET',
    headers: { ...headers, 'content-type': 'application/json' },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    signal: AbortSignal.timeout(30_000),
  });
  await response.arrayBuffer();
  return response.status;
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function listed(spec: Spec): Promise<Array<{ id: string; scope: string; label: string | null }>> {
  const response = await fetch(`http://127.0.0.1:${spec.port}/tokens`, { headers: { 'x-openwork-host-token': spec.tokens.host } });
  return ((await response.json()) as { items: Array<{ id: string; scope: string; label: string | null }> }).items;
}

describe('access: per-person tokens through the simulator', { skip: SIMULATOR_ONLY }, () => {
  let project: Project;
  let spec: Spec;
  const outputs: string[] = [];
  const values: string[] = [];
  const tokenFile = (person: string) => join(project.dir, '.owctl', 'access', 'team', `${person}.token`);
  const valueOf = (person: string) => {
    const value = readFileSync(tokenFile(person), 'utf8').trim();
    if (!values.includes(value)) values.push(value);
    return value;
  };
  const owctl = async (args: string[]) => {
    const result = await project.owctl(args);
    outputs.push(result.stdout, result.stderr);
    return result;
  };

  before(async () => {
    project = await Project.create('access');
    spec = {
      name: 'team',
      port: await freePort(),
      tokens: tokens('team'),
      data: true,
      extraEnv: {
        ...PERSISTED_STATE_ENV,
        OPENWORK_FIXTURE_BOOT_OWNER_TOKEN: '1',
      },
      access: { bob: 'viewer', carol: 'collaborator' },
    };
  });
  // Both boots of the sandbox use the harness's stand-in of OpenCode (sessions are not the point here).
  after(() => project.cleanup());

  it('apply issues one token per person, labelled as owctl\'s, each value once in a 0600 git-ignored file, and verifies its scope', async () => {
    await project.writeFile([spec]);
    const applied = await owctl(['apply', '--auto-approve']);
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    assert.match(applied.stdout, /access:bob:verify/);
    for (const person of ['bob', 'carol']) {
      assert.equal(statSync(tokenFile(person)).mode & 0o777, 0o600);
      assert.match(valueOf(person), /^owt_/);
    }
    assert.equal(readFileSync(join(project.dir, '.owctl', 'access', '.gitignore'), 'utf8').split('\n').includes('*'), true);
    const labels = (await listed(spec)).map((t) => t.label).sort();
    assert.deepEqual(labels.filter((l) => l?.startsWith('owctl:')), ['owctl:access/team/bob', 'owctl:access/team/carol']);
    assert.equal(await status(spec, '/workspaces', bearer(valueOf('bob'))), 200, 'a viewer reads');
    assert.equal(await status(spec, '/w/ws_c52ddf65534b/opencode/session', bearer(valueOf('bob')), { method: 'POST', body: { title: 'x' } }), 403, 'and cannot write');
    const again = await owctl(['plan', '--detailed-exitcode']);
    assert.equal(again.code, 0, `in sync after apply:\n${again.stdout}`);
  });

  it("apply records on the sandbox, in its labels, each person's scope, token id and a salted digest of the value — never the value", async () => {
    const labels = (await project.inspect('team'))!.config.labels as Record<string, string>;
    const ids = new Map((await listed(spec)).map((t) => [t.label, t.id]));
    assert.equal(labels['owctl.dev/a.bob'], `viewer.${ids.get('owctl:access/team/bob')}`);
    assert.equal(labels['owctl.dev/a.carol'], `collaborator.${ids.get('owctl:access/team/carol')}`);
    assert.match(labels['owctl.dev/access-salt'] ?? '', /^[0-9a-f]{32}$/);
    assert.match(labels['owctl.dev/ad.bob'] ?? '', /^v1-[0-9a-f]{32}$/);
    // Salted: the digest is not a plain hash of the value.
    const { createHash } = await import('node:crypto');
    assert.ok(!labels['owctl.dev/ad.bob']!.includes(createHash('sha256').update(valueOf('bob')).digest('hex').slice(0, 32)));
    // Recording never restarts the sandbox: msb saved the labels for the next start of the running VM.
    const calls = (await project.msbCalls()).filter((argv) => argv[0] === 'modify');
    assert.ok(calls.length > 0 && calls.every((argv) => argv.includes('--next-start') && !argv.includes('--restart')), JSON.stringify(calls));
    assert.equal((await project.inspect('team'))!.status, 'Running');
  });

  it('output --json names where each token lives; connect --as prints a value only when asked', async () => {
    const out = await owctl(['output', '--json']);
    assertValid(compileSchema('output.schema.json'), json(out), 'output --json');
    assert.deepEqual(json(out).outputs[0].access, [
      { person: 'bob', scope: 'viewer', token_file: '.owctl/access/team/bob.token', token_file_current: true },
      { person: 'carol', scope: 'collaborator', token_file: '.owctl/access/team/carol.token', token_file_current: true },
    ]);
    const hidden = await owctl(['connect', 'team', '--as', 'bob']);
    assert.equal(hidden.code, 0, hidden.stderr);
    assert.ok(!hidden.stdout.includes(valueOf('bob')));
    const verified = await owctl(['verify', 'team', '--json']);
    assert.equal(verified.code, 0, verified.stdout + verified.stderr);
    assert.deepEqual(json(verified).targets[0].access.map((c: { person: string; ok: boolean; checked: boolean }) => [c.person, c.ok, c.checked]), [['bob', true, true], ['carol', true, true]]);
    const shown = await project.owctl(['connect', 'team', '--as', 'bob', '--show-token', '--json']);
    assert.equal(json(shown).token, valueOf('bob'));
    assert.equal(json(shown).scope, 'viewer');
    assert.equal(json(shown).token_file_current, true);
    assertValid(compileSchema('connect.schema.json'), json(shown), 'connect --as --json');
    assertValid(compileSchema('verify.schema.json'), json(verified), 'verify --json');
  });

  it('--rotate team/bob issues a new token, verifies it, revokes the old (401) while carol\'s client keeps working', async () => {
    const oldBob = valueOf('bob');
    const carol = valueOf('carol');
    const plan = await owctl(['plan', '--rotate', 'team/bob']);
    assert.equal(plan.code, 0, plan.stderr);
    assert.match(plan.stdout, /access\.bob/);
    assert.match(plan.stdout, /update in place|updated in place/);
    let carolFailures = 0;
    let stop = false;
    const client = (async () => {
      while (!stop) {
        if ((await status(spec, '/workspaces', bearer(carol))) !== 200) carolFailures += 1;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    const rotated = await owctl(['apply', '--auto-approve', '--rotate', 'team/bob']);
    stop = true;
    await client;
    assert.equal(rotated.code, 0, rotated.stdout + rotated.stderr);
    assert.equal(carolFailures, 0, "carol's client never failed");
    const newBob = valueOf('bob');
    assert.notEqual(newBob, oldBob);
    assert.equal(await status(spec, '/workspaces', bearer(oldBob)), 401, 'the old value is revoked');
    assert.equal(await status(spec, '/workspaces', bearer(newBob)), 200);
    assert.equal(valueOf('carol'), carol, "carol's token is untouched");
  });

  it('removing a person revokes their token in place (401 after) and removes their file; other tokens are untouched', async () => {
    const carol = valueOf('carol');
    const foreign = await fetch(`http://127.0.0.1:${spec.port}/tokens`, {
      method: 'POST',
      headers: { 'x-openwork-host-token': spec.tokens.host, 'content-type': 'application/json' },
      body: JSON.stringify({ scope: 'viewer', label: 'a token someone made by hand' }),
    }).then((r) => r.json() as Promise<{ id: string; token: string }>);
    values.push(foreign.token);
    spec.access = { bob: 'viewer' };
    await project.writeFile([spec]);
    const plan = await owctl(['plan']);
    assert.match(plan.stdout, /access\.carol/);
    assert.doesNotMatch(plan.stdout, /must be replaced|restart/);
    const applied = await owctl(['apply', '--auto-approve']);
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    assert.equal(await status(spec, '/workspaces', bearer(carol)), 401);
    assert.equal(existsSync(tokenFile('carol')), false);
    assert.equal(await status(spec, '/workspaces', bearer(foreign.token)), 200, "a token owctl did not issue is never touched");
  });

  it("a file another machine's rotation left behind: verify, connect --as and output say it is not the current token", async () => {
    const stale = valueOf('bob');
    const rotated = await owctl(['apply', '--auto-approve', '--rotate', 'team/bob']);
    assert.equal(rotated.code, 0, rotated.stdout + rotated.stderr);
    const current = valueOf('bob');
    // This machine still holds the value from before (as if the rotation had run elsewhere).
    const { writeFileSync } = await import('node:fs');
    writeFileSync(tokenFile('bob'), `${stale}\n`);
    const verified = await owctl(['verify', 'team', '--json']);
    assert.notEqual(verified.code, 0);
    const bob = json(verified).targets[0].access.find((c: { person: string }) => c.person === 'bob');
    assert.equal(bob.ok, false);
    assert.match(bob.message, /is not bob's current token: owctl's record on team holds the digest of another/);
    const connect = await owctl(['connect', 'team', '--as', 'bob']);
    assert.equal(connect.code, 0, connect.stderr);
    assert.match(connect.stderr, /warning: .*bob\.token is not bob's current token/);
    const connectJson = await owctl(['connect', 'team', '--as', 'bob', '--json']);
    assertValid(compileSchema('connect.schema.json'), json(connectJson), 'connect --as --json');
    assert.equal(json(connectJson).token_file_current, false);
    const out = await owctl(['output', '--json']);
    assertValid(compileSchema('output.schema.json'), json(out), 'output --json');
    assert.deepEqual(json(out).outputs[0].access.map((a: { person: string; token_file_current?: boolean }) => [a.person, a.token_file_current]), [['bob', false]]);
    writeFileSync(tokenFile('bob'), `${current}\n`);
    assert.deepEqual(json(await owctl(['output', '--json'])).outputs[0].access.map((a: { token_file_current?: boolean }) => a.token_file_current), [true]);
  });

  it("a stopped sandbox is planned from the record on it (no 'access not compared'); apply starts it, then issues", async () => {
    const stopped = await project.msbRaw(['stop', 'team']);
    assert.equal(stopped.code, 0, stopped.stderr);
    spec.access = { bob: 'viewer', dave: 'viewer' };
    await project.writeFile([spec]);
    const plan = await owctl(['plan', '--json']);
    const change = json(plan).changes[0];
    assert.doesNotMatch(change.reason, /not compared/);
    assert.match(change.reason, /access compared with owctl's record on the sandbox/);
    assert.deepEqual(change.access, [{ person: 'dave', issue: 'viewer', revoke: [], cause: 'added' }]);
    assert.equal(change.start, true);
    const applied = await owctl(['apply', '--auto-approve']);
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    assert.equal(await status(spec, '/workspaces', bearer(valueOf('dave'))), 200);
    assert.equal(await status(spec, '/workspaces', bearer(valueOf('bob'))), 200);
    // The start was a new boot: its image issued another owner token, the only thing left to do.
    const after = json(await owctl(['plan', '--json'])).changes[0];
    assert.deepEqual(after.access.map((op: { cause: string }) => op.cause), ['earlier_boot']);
    assert.equal((await owctl(['apply', '--auto-approve'])).code, 0);
    const again = await owctl(['plan', '--detailed-exitcode']);
    assert.equal(again.code, 0, `in sync after apply:\n${again.stdout}`);
  });

  it('a replacement keeps the tokens with the store in /data; the owner token of the earlier boot is then revoked', async () => {
    const bob = valueOf('bob');
    spec.port = await freePort();
    await project.writeFile([spec]);
    const saved = join(project.dir, 'plan.json');
    const plan = await owctl(['plan', '-o', saved]);
    assert.match(plan.stdout, /must be replaced/);
    assert.doesNotMatch(plan.stdout, /new token: the token store/);
    outputs.push(readFileSync(saved, 'utf8'));
    const replaced = await owctl(['apply', '--json', saved]);
    assert.equal(replaced.code, 0, replaced.stdout + replaced.stderr);
    const events = compileSchema('events.schema.json');
    for (const line of replaced.stdout.trim().split('\n')) assertValid(events, JSON.parse(line), 'an apply --json event');
    assert.equal(await status(spec, '/workspaces', bearer(bob)), 200, "bob's token survived the replacement");
    const carried = (await project.inspect('team'))!.config.labels as Record<string, string>;
    assert.match(carried['owctl.dev/ad.bob'] ?? '', /^v1-/, 'the new sandbox carries the record, digests included');
    assert.equal(json(await owctl(['output', '--json'])).outputs[0].access[0].token_file_current, true);
    const owners = () => listed(spec).then((items) => items.filter((t) => t.label === 'OpenWork owner token'));
    assert.equal((await owners()).length, 2, 'one owner token per boot so far');
    const pile = await owctl(['plan']);
    assert.match(pile.stdout, /owner tokens from earlier boots/);
    const pileJson = json(await owctl(['plan', '--json']));
    assertValid(compileSchema('plan.schema.json'), pileJson, 'plan --json');
    assert.equal(pileJson.changes[0].access[0].cause, 'earlier_boot');
    const cleaned = await owctl(['apply', '--auto-approve']);
    assert.equal(cleaned.code, 0, cleaned.stdout + cleaned.stderr);
    assert.equal((await owners()).length, 1, "only the current boot's owner token is left");
    assert.equal(await status(spec, '/workspaces', bearer(bob)), 200);
  });

  it('secret sweep: no token value in any output, plan file, event or msb argv, and no label holds one', async () => {
    project.secrets.push(...values);
    const labels = JSON.stringify((await project.inspect('team'))!.config.labels);
    await project.assertNoSecrets(...outputs, labels);
    for (const token of await listed(spec)) for (const value of values) assert.ok(!(token.label ?? '').includes(value));
  });
});
