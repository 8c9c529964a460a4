/**
 * Team access on the opensandbox backend, through the OpenSandbox stand-in: the same per-person tokens, issued,
 * rotated and revoked through the server endpoint owctl already verifies; with the token store on a host volume,
 * a replacement (created and verified before the old one goes) keeps them.
 */
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { IMAGE, IMAGE_V2, Project } from './project.ts';

async function code(url: string, token: string): Promise<number> {
  const response = await fetch(`${url}/workspaces`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(30_000) });
  await response.arrayBuffer();
  return response.status;
}

describe('access on the opensandbox backend', { timeout: 300_000 }, () => {
  let p: Project;
  const outputs: string[] = [];
  const values = new Set<string>();
  const run = async (args: string[]) => {
    const result = await p.owctl(args);
    outputs.push(result.stdout, result.stderr);
    return result;
  };
  const value = async (person: string) => {
    const v = (await readFile(join(p.dir, '.owctl', 'access', 'team', `${person}.token`), 'utf8')).trim();
    values.add(v);
    return v;
  };
  const url = async () => JSON.parse((await p.owctl(['connect', 'team', '--json'])).stdout).url as string;

  /** owctl's access record in the live team sandbox's metadata (the newest one). */
  const record = () => {
    const live = p.standin.sandboxes().filter((s) => s.metadata?.['owctl.dev/name'] === 'team').at(-1)!;
    return Object.fromEntries(Object.entries(live.metadata ?? {}).filter(([key]) => /^owctl\.dev\/(a\.|ad\.|access-salt)/.test(key)));
  };

  async function write(image: string, access: Record<string, string>, labels = ''): Promise<void> {
    const data = join(p.dir, 'server-data');
    await mkdir(data, { recursive: true });
    const people = Object.entries(access).map(([person, scope]) => `      ${person}: { scope: ${scope} }`);
    const yaml = [
      'version: 1',
      'project: demo',
      'backend: { type: opensandbox, url: "${OPEN_SANDBOX_URL}", api_key: "${OPEN_SANDBOX_API_KEY}", request_timeout: 60s }',
      'sandboxes:',
      '  team:',
      `    image: ${image}`,
      '    command: [/usr/local/bin/openwork-server]',
      '    tokens: { client: "${TOK_C}", host: "${TOK_H}" }',
      `    mounts: [{ type: bind, source: ${data}, target: /data }]`,
      '    env: { OPENWORK_TOKEN_STORE: /data/openwork/tokens.json }',
      '    verify: { timeout: 60s }',
      ...(labels === '' ? [] : [`    labels: { ${labels} }`]),
      ...(people.length > 0 ? ['    access:', ...people] : []),
      '',
    ];
    await writeFile(join(p.dir, 'openwork.yaml'), yaml.join('\n'));
    await writeFile(join(p.dir, '.env'), `TOK_C=${p.token('team', 'client')}\nTOK_H=${p.token('team', 'host')}\n`);
  }

  before(async () => {
    p = await Project.start();
  });
  after(async () => {
    await p.close();
  });

  it('issues two people their tokens through the endpoint; rotates one while the other keeps working; removes one (401 after)', async () => {
    await write(IMAGE, { bob: 'viewer', carol: 'collaborator' });
    const applied = await run(['apply', '--auto-approve']);
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    assert.match(applied.stdout, /access:carol:verify ok/);
    const server = await url();
    const [bob, carol] = [await value('bob'), await value('carol')];
    assert.equal(await code(server, bob), 200);
    // The record on the sandbox: scope and id per person, a salted digest of each value, never a value.
    const recorded = record();
    assert.deepEqual(Object.keys(recorded).sort(), ['owctl.dev/a.bob', 'owctl.dev/a.carol', 'owctl.dev/access-salt', 'owctl.dev/ad.bob', 'owctl.dev/ad.carol']);
    assert.match(recorded['owctl.dev/a.bob']!, /^viewer\.[A-Za-z0-9_-]+$/);
    assert.match(recorded['owctl.dev/ad.carol']!, /^v1-[0-9a-f]{32}$/);

    let failures = 0;
    let stop = false;
    const client = (async () => {
      while (!stop) {
        if ((await code(server, carol)) !== 200) failures += 1;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    const rotated = await run(['apply', '--auto-approve', '--rotate', 'team/bob']);
    stop = true;
    await client;
    assert.equal(rotated.code, 0, rotated.stdout + rotated.stderr);
    assert.equal(failures, 0, "carol's client kept working");
    assert.equal(await code(server, bob), 401, "bob's old token is revoked");
    assert.equal(await code(server, await value('bob')), 200);

    await write(IMAGE, { bob: 'viewer' });
    const plan = await run(['plan']);
    assert.match(plan.stdout, /access\.carol/);
    assert.doesNotMatch(plan.stdout, /must be replaced/);
    const removed = await run(['apply', '--auto-approve']);
    assert.equal(removed.code, 0, removed.stdout + removed.stderr);
    assert.equal(await code(server, carol), 401);
    assert.deepEqual(Object.keys(record()).sort(), ['owctl.dev/a.bob', 'owctl.dev/access-salt', 'owctl.dev/ad.bob']);

    // An in-place metadata update (a label) leaves the access record as it was.
    const before = record();
    await write(IMAGE, { bob: 'viewer' }, 'team: research');
    const labelled = await run(['apply', '--auto-approve']);
    assert.equal(labelled.code, 0, labelled.stdout + labelled.stderr);
    assert.deepEqual(record(), before);
    assert.equal((await run(['plan', '--detailed-exitcode'])).code, 0);
  });

  it('a replacement keeps the tokens when the store is on a volume; no value in any output, metadata or API request', async () => {
    const bob = await value('bob');
    const before = record();
    await write(IMAGE_V2, { bob: 'viewer' }, 'team: research');
    const replaced = await run(['apply', '--auto-approve']);
    assert.equal(replaced.code, 0, replaced.stdout + replaced.stderr);
    assert.deepEqual(record(), before, 'the new sandbox carries the record (same salt, ids and digests)');
    assert.equal(await code(await url(), bob), 200, "bob's token works on the new sandbox");
    const again = await run(['plan', '--detailed-exitcode']);
    assert.equal(again.code, 0, again.stdout);
    const api = JSON.stringify(p.standin.exchanges()) + JSON.stringify(p.standin.sandboxes().map((s) => s.metadata));
    for (const v of values) {
      for (const text of [...outputs, api]) assert.ok(!text.includes(v), 'a token value leaked');
    }
  });
});
