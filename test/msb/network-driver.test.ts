/**
 * owctl's msb driver hands egress rules and credentials to the real msb 0.6.18 (recorded without a boot here), and
 * reads them back. Secret sweep: the credential value is on no argv, under no file of MSB_HOME, in no label, and in
 * no inspect output; msb reads it from its environment only.
 */
import assert from 'node:assert/strict';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { OwctlError } from '../../src/errors.ts';
import { credentialsOf, type DesiredSandbox } from '../../src/model/desired.ts';
import { canonicalRules, effectivePolicy } from '../../src/model/network.ts';
import { Msb } from '../../src/msb/driver.ts';
import { networkArgs } from '../../src/msb/network-args.ts';
import { writeOciImage } from '../helpers/oci-image.ts';
import { IS_MSB_07, makeMsbHome, MSB_BIN, type MsbHome } from '../helpers/msb-home.ts';
import { desired } from './desired.ts';
import { recordingSpawner } from './recording-spawner.ts';

const VALUE = 'sk-ant-driver-SECRET-0123456789';

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

describe('msb driver: network rules and credentials against the real binary', { skip: IS_MSB_07 ? 'network flags are checked against msb 0.6.18' : false }, () => {
  let home: MsbHome;
  const spawner = recordingSpawner();
  let msb: Msb;

  before(async () => {
    home = await makeMsbHome();
    msb = new Msb(MSB_BIN, home.env, { spawner });
    const image = await writeOciImage(home.root, { ref: 'owctl-test:1' });
    await msb.imageLoad(image.archive, image.ref);
  });
  after(() => home.cleanup());

  /** Recorded at once: the bind source's `..` fails the boot after msb stored the config. */
  const spec = (name: string, overrides: Partial<DesiredSandbox>): DesiredSandbox =>
    desired(name, { mounts: [{ type: 'bind', source: home.fastFailPath, target: '/workspace', readonly: false }], ...overrides });

  it('create records the rules, the default egress, the credential reference and block-and-log exactly as the file says them', async () => {
    const sandbox = spec('guarded', {
      network: {
        egress: 'deny',
        rules: [
          { action: 'allow', target: 'api.anthropic.com', ports: [443, 8443] },
          { action: 'allow', target: '*.github.com', ports: [] },
          { action: 'deny', target: '169.254.169.254', ports: [] },
          { action: 'allow', target: '10.0.0.0/8', ports: [53], protocol: 'udp' },
          { action: 'allow', target: 'dns', ports: [] },
        ],
      },
      credentials: { ANTHROPIC_API_KEY: { value: VALUE, hosts: ['api.anthropic.com', '*.anthropic.com'] } },
    });
    await assert.rejects(msb.create(sandbox, { 'owctl.dev/project': 'demo' }), (e: unknown) => e instanceof OwctlError && e.code === 'msb.start_failed');
    const live = await msb.inspect('guarded');
    assert.deepEqual(live?.egress, {
      policy: { egress: 'deny', rules: canonicalRules(effectivePolicy(sandbox).rules) },
      onViolation: 'block-and-log',
      credentials: { ANTHROPIC_API_KEY: { hosts: ['api.anthropic.com', '*.anthropic.com'] } },
      injects: true,
      // The driver writes no owctl label of its own (the backend adds the credentials digest label).
      record: null,
    });
    const create = spawner.requests.find((r) => r.args[0] === 'create' && r.args.includes('guarded'))!;
    assert.equal(create.env?.ANTHROPIC_API_KEY, VALUE, 'the value reaches msb through its environment');
    assert.equal(create.args.join(' ').includes(VALUE), false, 'never on argv');
  });

  it('rules without egress: msb appends allow@dns and allow@public, and owctl reads back what it would plan', async () => {
    const sandbox = spec('rules-only', { network: { rules: [{ action: 'allow', target: 'api.anthropic.com', ports: [] }] } });
    await assert.rejects(msb.create(sandbox, {}));
    const live = await msb.inspect('rules-only');
    assert.deepEqual(live?.egress?.policy, { egress: 'deny', rules: ['allow@api.anthropic.com', 'allow@host:udp+tcp:53', 'allow@public'] });
    assert.deepEqual(live?.egress?.policy?.rules, canonicalRules(effectivePolicy(sandbox).rules));
  });

  it('a sandbox without network or credentials gets no network flag: msb records no policy (its default applies)', async () => {
    const sandbox = spec('plain', {});
    assert.deepEqual(networkArgs(sandbox), []);
    await assert.rejects(msb.create(sandbox, {}));
    assert.deepEqual((await msb.inspect('plain'))?.egress, { policy: null, onViolation: null, credentials: {}, injects: false, record: null });
  });

  it('msb modify --secret/--secret-rm change the references on a stopped sandbox (next start), values only in its environment', async () => {
    const more = { ANTHROPIC_API_KEY: { value: VALUE, hosts: ['api.anthropic.com'] }, OPENAI_API_KEY: { value: `${VALUE}-openai`, hosts: ['api.openai.com'] } };
    const result = await msb.modify('guarded', { secrets: ['ANTHROPIC_API_KEY', 'OPENAI_API_KEY'], credentials: more });
    assert.deepEqual(result.changes.map((c) => [c.change, c.disposition]), [['rotated', 'next start'], ['added', 'next start']]);
    assert.deepEqual((await msb.inspect('guarded'))?.egress?.credentials, { ANTHROPIC_API_KEY: { hosts: ['api.anthropic.com'] }, OPENAI_API_KEY: { hosts: ['api.openai.com'] } });
    await msb.modify('guarded', { secretRemove: ['OPENAI_API_KEY'], credentials: credentialsOf({ credentials: { ANTHROPIC_API_KEY: more.ANTHROPIC_API_KEY } }) });
    assert.deepEqual(Object.keys((await msb.inspect('guarded'))?.egress?.credentials ?? {}), ['ANTHROPIC_API_KEY']);
  });

  it('secret sweep: no value in any argv, any file under MSB_HOME, any label or any inspect output', async () => {
    for (const request of spawner.requests) assert.equal(request.args.join('\u0000').includes(VALUE), false, request.args.join(' '));
    for (const file of await filesUnder(home.home)) {
      // The sparse root-disk images (GiBs of zeroes, made before any value exists) are not read.
      if ((await stat(file)).size > 64 * 1024 * 1024) continue;
      const bytes = await readFile(file);
      assert.equal(bytes.includes(VALUE), false, `${file} holds the value`);
    }
    const raw = await home.msb(['inspect', 'guarded', '--format', 'json']);
    assert.equal(raw.stdout.includes(VALUE), false);
  });
});
