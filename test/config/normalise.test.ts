import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { PERSISTED_STATE_ENV } from '../../src/config/persisted-state.ts';
import { loadConfig } from '../../src/config/load.ts';
import { guestPath, hostPath } from '../../src/config/normalise.ts';
import type { DesiredSandbox } from '../../src/model/desired.ts';
import { minimalYaml, TEST_ENV, withFiles } from './helpers.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const EXAMPLE_ENV: NodeJS.ProcessEnv = {
  ...TEST_ENV,
  ...Object.fromEntries(['ADA', 'GRACE', 'LINUS'].flatMap((name) => [[`${name}_TOKEN`, `${name.toLowerCase()}-client-0123456789`], [`${name}_HOST_TOKEN`, `${name.toLowerCase()}-host-0123456789`]])),
};

describe('normalisation', () => {
  test('the default openwork.yaml becomes exactly this desired state', async () => {
    const result = await loadConfig(path.join(ROOT, 'openwork.yaml'), TEST_ENV);
    assert.deepEqual(result.diagnostics, []);
    const desired = result.desired!;
    assert.equal(desired.file, path.join(ROOT, 'openwork.yaml'));
    assert.equal(desired.dir, ROOT.replace(/\/$/, ''));
    assert.equal(desired.project, 'demo');
    assert.deepEqual(desired.sandboxes.map((s) => s.name), ['alice', 'bob']);
    const expected: DesiredSandbox = {
      name: 'alice',
      image: { ref: 'openwork-microsandbox:dev' },
      pull: 'if-missing',
      cpus: 2,
      memoryMib: 2048,
      mounts: [
        { type: 'bind', source: path.join(ROOT, '.owctl/alice/workspace'), target: '/workspace', readonly: false },
        { type: 'bind', source: path.join(ROOT, '.owctl/alice/data'), target: '/data', readonly: false },
        { type: 'volume', source: 'shared-cache', target: '/cache', readonly: false },
        { type: 'tmpfs', target: '/tmp', sizeMib: 256 },
      ],
      ports: [{ host: 8787, guest: 8787, bind: '127.0.0.1', protocol: 'tcp' }],
      tokens: { client: TEST_ENV.OPENWORK_TOKEN!, host: TEST_ENV.OPENWORK_HOST_TOKEN!, clientEnv: 'OPENWORK_TOKEN', hostEnv: 'OPENWORK_HOST_TOKEN' },
      env: { OPENWORK_APPROVAL_MODE: 'auto', ...PERSISTED_STATE_ENV },
      sensitiveEnv: [],
      labels: { team: 'research' },
      command: ['/usr/local/bin/microsandbox-entrypoint.sh'],
      idleTimeoutSecs: 1800,
      maxDurationSecs: 28800,
      protect: false,
      verify: { timeoutSecs: 120, connectHost: '127.0.0.1' },
      serverPort: 8787,
      serverPortEnv: 'OPENWORK_PORT',
    };
    assert.deepEqual(desired.sandboxes[0], expected);
    assert.equal(desired.sandboxes[1]!.ports[0]!.host, 8788);
    assert.equal(desired.sandboxes[1]!.tokens.client, TEST_ENV.BOB_OPENWORK_TOKEN);
    assert.deepEqual(result.secrets, [TEST_ENV.BOB_OPENWORK_HOST_TOKEN, TEST_ENV.BOB_OPENWORK_TOKEN, TEST_ENV.OPENWORK_TOKEN, TEST_ENV.OPENWORK_HOST_TOKEN].sort());
  });

  test('built-in defaults fill every key the file leaves out', async () => {
    await withFiles({ 'openwork.yaml': minimalYaml() }, async (dir) => {
      const result = await loadConfig(path.join(dir, 'openwork.yaml'), TEST_ENV);
      const alice = result.desired!.sandboxes[0]!;
      assert.deepEqual(
        { pull: alice.pull, cpus: alice.cpus, memoryMib: alice.memoryMib, mounts: alice.mounts, ports: alice.ports, env: alice.env, labels: alice.labels },
        { pull: 'if-missing', cpus: 2, memoryMib: 2048, mounts: [], ports: [], env: {}, labels: {} },
      );
      assert.equal(alice.command, undefined);
      assert.equal(alice.idleTimeoutSecs, undefined);
      assert.equal(alice.maxDurationSecs, undefined);
      assert.equal(alice.protect, false);
      assert.deepEqual(alice.verify, { timeoutSecs: 120, connectHost: '127.0.0.1' });
      assert.deepEqual([alice.tokens.clientEnv, alice.tokens.hostEnv], ['OPENWORK_TOKEN', 'OPENWORK_HOST_TOKEN']);
    });
  });

  test('host paths become absolute, guest paths normalised, values strings', async () => {
    const extra = [
      '    image: { ref: "img:1", archive: ../images/img.tar }',
      '    mounts:',
      '      - { type: bind, source: data/../work, target: /workspace/ }',
      '      - { type: bind, source: ~/shared, target: //shared/./, readonly: true }',
      '      - { type: bind, source: /abs/path, target: /abs }',
      '    env: { Z: 1, A: true, M: 1.5 }',
      '    ports: [{ host: 9000, guest: 9000, bind: "::1", protocol: udp }, { host: 9001, guest: 8787 }]',
      '    resources: { memory: 1.5G }',
      '    verify: { timeout: 3m }',
    ].join('\n');
    const yaml = `allow_host_paths: [~/shared, /abs]\n${minimalYaml(extra).replace('    image: openwork-microsandbox:dev\n', '')}`;
    await withFiles({ 'openwork.yaml': yaml }, async (dir) => {
      const result = await loadConfig(path.join(dir, 'openwork.yaml'), TEST_ENV);
      assert.deepEqual(result.diagnostics, []);
      const alice = result.desired!.sandboxes[0]!;
      assert.deepEqual(alice.image, { ref: 'img:1', archive: path.resolve(dir, '../images/img.tar') });
      assert.deepEqual(alice.mounts, [
        { type: 'bind', source: path.join(dir, 'work'), target: '/workspace', readonly: false },
        { type: 'bind', source: '/home/tester/shared', target: '/shared', readonly: true },
        { type: 'bind', source: '/abs/path', target: '/abs', readonly: false },
      ]);
      assert.deepEqual(Object.entries(alice.env), [['A', 'true'], ['M', '1.5'], ['Z', '1']]);
      assert.deepEqual(alice.ports, [{ host: 9000, guest: 9000, bind: '::1', protocol: 'udp' }, { host: 9001, guest: 8787, bind: '127.0.0.1', protocol: 'tcp' }]);
      assert.equal(alice.memoryMib, 1536);
      assert.equal(alice.verify.timeoutSecs, 180);
    });
  });

  test('path helpers', () => {
    const context = { dir: '/etc/owctl', home: '/home/u' };
    assert.equal(hostPath('./x/../y', context), '/etc/owctl/y');
    assert.equal(hostPath('~', context), '/home/u');
    assert.equal(hostPath('~other/x', context), '/etc/owctl/~other/x');
    assert.equal(guestPath('/'), '/');
    assert.equal(guestPath('//data//x/'), '/data/x');
  });

  test('the examples are valid', async () => {
    for (const name of ['minimal.yaml', 'team.yaml']) {
      const result = await loadConfig(path.join(ROOT, 'examples', name), EXAMPLE_ENV);
      assert.deepEqual(result.diagnostics, [], name);
    }
    const team = (await loadConfig(path.join(ROOT, 'examples', 'team.yaml'), EXAMPLE_ENV)).desired!;
    const [ada, grace, linus] = team.sandboxes;
    assert.deepEqual(ada!.labels, { owner: 'ada', team: 'research' });
    assert.equal(ada!.image.archive, path.join(ROOT, 'examples', 'openwork-microsandbox.tar'));
    assert.deepEqual([grace!.cpus, grace!.memoryMib, ada!.memoryMib], [2, 4096, 1536]);
    assert.equal(grace!.env.OPENWORK_APPROVAL_MODE, 'manual');
    assert.equal(linus!.env.OPENWORK_LOG_LEVEL, 'info');
    assert.equal(linus!.verify.timeoutSecs, 90);
    assert.deepEqual([linus!.tokens.clientEnv, linus!.tokens.hostEnv], ['OW_CLIENT_TOKEN', 'OW_HOST_TOKEN']);
  });
});
