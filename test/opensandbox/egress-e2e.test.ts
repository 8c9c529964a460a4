/**
 * The agent boundary on OpenSandbox, end to end through the stand-in: a sandbox with egress rules and a host-held
 * credential is created with networkPolicy and credentialProxy, its value written only to the sandbox's Credential
 * Vault before verification; rotating the value, changing the rules and removing the credential land in place;
 * secret sweeps: the value is in the vault writes and nowhere else (create request, metadata, output, plan file).
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { API_KEY, Project, assertNoSecrets, mutating, type CliResult } from './project.ts';

const KEY = 'sk-ant-e2e-value-3f8a1c9d7e2b4a60';
const ROTATED = 'sk-ant-e2e-rotated-b7c6d5e4f3a2b1c0';

const agent = (rules: string[], credentials = true) => ({
  name: 'agent',
  extra: [
    '    network:',
    '      egress: deny',
    '      rules:',
    ...rules.map((target) => `        - { allow: "${target}" }`),
    ...(credentials ? ['    credentials:', '      ANTHROPIC_API_KEY:', '        value: ${ANTHROPIC_API_KEY}', '        hosts: [api.anthropic.com]', '        header: x-api-key'] : []),
  ],
});

describe('opensandbox: egress rules and the Credential Vault end to end', { timeout: 300_000 }, () => {
  let p: Project;
  const outputs: string[] = [];
  const run = async (args: string[]): Promise<CliResult> => {
    const result = await p.owctl(args);
    outputs.push(result.stdout, result.stderr);
    return result;
  };
  const box = () => p.standin.sandboxes().find((s) => s.metadata['owctl.dev/name'] === 'agent')!;
  before(async () => {
    p = await Project.start();
  });
  after(async () => {
    await p?.close();
  });

  it('creates with networkPolicy and credentialProxy, the guest variable holding a fake value, and the value only in the vault', async () => {
    await p.write([agent(['api.anthropic.com'])], { ANTHROPIC_API_KEY: KEY });
    const applied = await run(['apply', '--auto-approve']);
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    assert.match(applied.stdout, /agent: verify:credential-vault ok/);
    // The guest's variable read inside the sandbox, through its execd, holds the fake value.
    assert.match(applied.stdout, /agent: verify:credentials ok/);
    assert.ok(p.standin.execdExchanges().some((e) => e.method === 'POST' && e.path === '/command'), 'read through execd');
    const create = p.standin.exchanges().find((e) => e.method === 'POST' && e.path === '/sandboxes')!;
    const body = create.requestBody as { networkPolicy: unknown; credentialProxy: unknown; env: Record<string, string> };
    assert.deepEqual(body.networkPolicy, { defaultAction: 'deny', egress: [{ action: 'allow', target: 'api.anthropic.com' }] });
    assert.deepEqual(body.credentialProxy, { enabled: true });
    assert.equal(body.env.ANTHROPIC_API_KEY, 'owctl-credential-vault-placeholder-ANTHROPIC_API_KEY');
    assert.equal(box().env.ANTHROPIC_API_KEY, 'owctl-credential-vault-placeholder-ANTHROPIC_API_KEY');
    assert.deepEqual(p.standin.sidecar(box().id)!.injected('ANTHROPIC_API_KEY'), { 'x-api-key': KEY });
    // The vault write came before verification reached the server.
    const writes = p.standin.egressExchanges().filter((e) => e.method === 'POST' && e.path === '/credential-vault');
    assert.deepEqual(writes.map((e) => e.status), [201]);
  });

  it('a second plan reads the sidecar\'s /policy and the vault\'s listing back and finds nothing to do', async () => {
    const plan = await run(['plan', '--detailed-exitcode']);
    assert.equal(plan.code, 0, plan.stdout + plan.stderr);
    assert.ok(p.standin.egressExchanges().some((e) => e.method === 'GET' && e.path === '/policy'), 'plan read /policy');
  });

  it('rotating the value is a live vault PATCH on the same sandbox, shown as (sensitive value)', async () => {
    const id = box().id;
    await p.write([agent(['api.anthropic.com'])], { ANTHROPIC_API_KEY: ROTATED });
    const plan = await run(['plan']);
    assert.match(plan.stdout, /credentials\.ANTHROPIC_API_KEY\.value += \(sensitive value\) -> \(sensitive value\) # live: through a Credential Vault PATCH/);
    const before = p.standin.exchanges().length;
    const applied = await run(['apply', '--auto-approve']);
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    assert.equal(box().id, id, 'same sandbox');
    assert.deepEqual(mutating(p.standin.exchanges().slice(before)).map((e) => e.method + ' ' + e.path.replace(id, 'ID')), ['PATCH /sandboxes/ID/metadata']);
    assert.deepEqual(p.standin.sidecar(id)!.injected('ANTHROPIC_API_KEY'), { 'x-api-key': ROTATED });
    assert.equal((await run(['plan', '--detailed-exitcode'])).code, 0, 'converged');
  });

  it('changing the rules is a live /policy update in the declared order', async () => {
    const id = box().id;
    await p.write([agent(['api.anthropic.com', '*.github.com'])], { ANTHROPIC_API_KEY: ROTATED });
    const plan = await run(['plan']);
    assert.match(plan.stdout, /network\.rules += "allow@api\.anthropic\.com" -> "allow@api\.anthropic\.com, allow@\*\.github\.com" # live: through the egress sidecar.s \/policy/);
    const applied = await run(['apply', '--auto-approve']);
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    assert.equal(box().id, id);
    assert.deepEqual(p.standin.sidecar(id)!.policy.egress, [{ action: 'allow', target: 'api.anthropic.com' }, { action: 'allow', target: '*.github.com' }]);
    assert.equal((await run(['plan', '--detailed-exitcode'])).code, 0, 'converged');
  });

  it('a guest that holds the value itself fails verification, and the value is printed nowhere', async () => {
    // The image's shell exports the value over the placeholder the create request set.
    p.standin.guestEnv(box().id, { ANTHROPIC_API_KEY: ROTATED });
    const verified = await run(['verify']);
    assert.equal(verified.code, 1, verified.stdout + verified.stderr);
    assert.match(verified.stdout + verified.stderr, /ANTHROPIC_API_KEY holds the credential's value in the guest/);
    assertNoSecrets([verified.stdout, verified.stderr], [KEY, ROTATED]);
    p.standin.guestEnv(box().id, {});
  });

  it('removing the credential deletes it from the vault in place', async () => {
    const id = box().id;
    await p.write([agent(['api.anthropic.com', '*.github.com'], false)]);
    const applied = await run(['apply', '--auto-approve']);
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    assert.equal(box().id, id);
    assert.equal(p.standin.sidecar(id)!.injected('ANTHROPIC_API_KEY'), undefined);
    assert.equal((await run(['plan', '--detailed-exitcode'])).code, 0, 'converged');
  });

  it('secret sweep: the value only ever travelled in vault writes', async () => {
    const planFile = join(p.dir, 'plan.json');
    await run(['plan', '-o', planFile]);
    const texts = [...outputs, await readFile(planFile, 'utf8'), JSON.stringify(p.standin.exchanges()), JSON.stringify(p.standin.sandboxes().map((s) => s.metadata))];
    assertNoSecrets(texts, [KEY, ROTATED, API_KEY]);
    const carrying = p.standin.egressExchanges().filter((e) => JSON.stringify(e).includes(KEY) || JSON.stringify(e).includes(ROTATED));
    assert.deepEqual([...new Set(carrying.map((e) => `${e.method} ${e.path}`))], ['POST /credential-vault', 'PATCH /credential-vault']);
    assert.ok(carrying.every((e) => !JSON.stringify(e.responseBody ?? '').includes(KEY) && !JSON.stringify(e.responseBody ?? '').includes(ROTATED)), 'no answer carries it');
    // The guest reads carry variable names only: no value ever travels to the guest.
    assertNoSecrets([JSON.stringify(p.standin.execdExchanges().map((e) => e.requestBody))], [KEY, ROTATED, API_KEY]);
  });

});

describe('opensandbox: credentials on a host-network server', { timeout: 120_000 }, () => {
  it('fact: networkPolicy is refused there; apply fails with a hint, writes no credential, and leaks nothing', async () => {
    const p = await Project.start({ endpointMode: 'host' });
    try {
      await p.write([agent(['api.anthropic.com'])], { ANTHROPIC_API_KEY: KEY });
      const applied = await p.owctl(['apply', '--auto-approve']);
      assert.equal(applied.code, 1, applied.stdout + applied.stderr);
      const said = applied.stdout + applied.stderr;
      assert.match(said, /network_mode=host/, said);
      assert.match(said, /network_mode "bridge"/, said);
      assert.deepEqual(p.standin.egressExchanges(), []);
      assertNoSecrets([applied.stdout, applied.stderr, JSON.stringify(p.standin.exchanges())], [KEY]);
    } finally {
      await p.close();
    }
  });
});
