/** `network` and `credentials`: the file's shape, its normalised form, and the problems reported at their lines. */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig, type Diagnostic } from '../../src/config/load.ts';
import { fileWarnings } from '../../src/config/warnings.ts';
import { minimalYaml, TEST_ENV, withFiles } from './helpers.ts';

const KEY = 'sk-ant-test-value-0123456789';
const ENV: NodeJS.ProcessEnv = { ...TEST_ENV, ANTHROPIC_API_KEY: KEY };

/** Loads `yaml` both ways (fast and positioned) and checks they agree; returns the positioned result. */
async function load(yaml: string) {
  return withFiles({ 'openwork.yaml': yaml }, async (dir) => {
    const file = path.join(dir, 'openwork.yaml');
    const fast = await loadConfig(file, ENV);
    const positioned = await loadConfig(file, ENV, { positioned: true });
    assert.deepEqual(fast.diagnostics, positioned.diagnostics);
    return positioned;
  });
}

const where = (d: Diagnostic) => `${d.line}:${d.col} ${d.path}: ${d.message}`;

const ISSUE_EXAMPLE = [
  '    network:',
  '      egress: deny',
  '      rules:',
  '        - { allow: api.anthropic.com, ports: [443] }',
  '        - { allow: "*.github.com" }',
  '        - { deny: 169.254.169.254 }',
  '    credentials:',
  '      ANTHROPIC_API_KEY:',
  '        value: ${ANTHROPIC_API_KEY}',
  '        hosts: [api.anthropic.com]',
  '        header: x-api-key',
].join('\n');

describe('network and credentials in the file', () => {
  it('the shape of the documentation loads into the model: rules in order, credentials by guest variable', async () => {
    const { desired, diagnostics } = await load(minimalYaml(ISSUE_EXAMPLE));
    assert.deepEqual(diagnostics, []);
    const alice = desired!.sandboxes[0]!;
    assert.deepEqual(alice.network, {
      egress: 'deny',
      rules: [
        { action: 'allow', target: 'api.anthropic.com', ports: [443] },
        { action: 'allow', target: '*.github.com', ports: [] },
        { action: 'deny', target: '169.254.169.254', ports: [] },
      ],
    });
    assert.deepEqual(alice.credentials, { ANTHROPIC_API_KEY: { value: KEY, hosts: ['api.anthropic.com'], header: 'x-api-key' } });
  });

  it('works under defaults too: a sandbox inherits them, its own rules replace the defaults list', async () => {
    const yaml = [
      'version: 1',
      'project: demo',
      'defaults:',
      '  network: { egress: deny, rules: [{ allow: api.anthropic.com }], on_violation: block }',
      '  credentials: { ANTHROPIC_API_KEY: { value: "${ANTHROPIC_API_KEY}", hosts: [api.anthropic.com] } }',
      'sandboxes:',
      '  alice:',
      '    image: img',
      '    tokens: { client: "${OPENWORK_TOKEN}", host: "${OPENWORK_HOST_TOKEN}" }',
      '  bob:',
      '    image: img',
      '    tokens: { client: "${OPENWORK_TOKEN}", host: "${OPENWORK_HOST_TOKEN}" }',
      '    network: { rules: [{ allow: api.anthropic.com }, { allow: registry.npmjs.org }] }',
      '',
    ].join('\n');
    const { desired, diagnostics } = await load(yaml);
    assert.deepEqual(diagnostics, []);
    const [alice, bob] = desired!.sandboxes;
    assert.equal(alice!.network?.onViolation, 'block');
    assert.equal(bob!.network?.egress, 'deny');
    assert.deepEqual(bob!.network?.rules?.map((r) => r.target), ['api.anthropic.com', 'registry.npmjs.org']);
    assert.deepEqual(Object.keys(bob!.credentials ?? {}), ['ANTHROPIC_API_KEY']);
  });

  it('without network or credentials the model says nothing (the runtime default applies)', async () => {
    const { desired } = await load(minimalYaml());
    assert.equal(desired!.sandboxes[0]!.network, undefined);
    assert.equal(desired!.sandboxes[0]!.credentials, undefined);
  });

  it('a credential whose hosts the rules block is refused: it can never be used', async () => {
    const { diagnostics } = await load(minimalYaml(['    network: { egress: deny, rules: [{ allow: "*.github.com" }] }', '    credentials:', '      ANTHROPIC_API_KEY: { value: "${ANTHROPIC_API_KEY}", hosts: [api.anthropic.com] }'].join('\n')));
    assert.deepEqual(diagnostics.map(where), ['9:66 sandboxes.alice.credentials.ANTHROPIC_API_KEY.hosts: network blocks every host of ANTHROPIC_API_KEY (api.anthropic.com): it can never be used']);
    assert.match(diagnostics[0]!.hint!, /allow them before any rule that blocks them/);
  });

  it('a deny rule listed first blocks, a later allow does not help (first match wins); a port-limited allow for 80 does not cover 443', async () => {
    const first = await load(minimalYaml(['    network: { egress: allow, rules: [{ deny: "*.anthropic.com" }, { allow: api.anthropic.com }] }', '    credentials: { ANTHROPIC_API_KEY: { value: "${ANTHROPIC_API_KEY}", hosts: [api.anthropic.com] } }'].join('\n')));
    assert.match(first.diagnostics.map(where).join('\n'), /it can never be used/);
    const port = await load(minimalYaml(['    network: { egress: deny, rules: [{ allow: api.anthropic.com, ports: [80] }] }', '    credentials: { ANTHROPIC_API_KEY: { value: "${ANTHROPIC_API_KEY}", hosts: [api.anthropic.com] } }'].join('\n')));
    assert.match(port.diagnostics.map(where).join('\n'), /it can never be used/);
  });

  it('rules without egress: msb 0.6.18 appends allow@dns and allow@public after them, so a public host is still reached', async () => {
    const { diagnostics } = await load(minimalYaml(['    network: { rules: [{ allow: api.openai.com }] }', '    credentials: { ANTHROPIC_API_KEY: { value: "${ANTHROPIC_API_KEY}", hosts: [api.anthropic.com] } }'].join('\n')));
    assert.deepEqual(diagnostics, []);
  });

  it('an IP or CIDR rule before the host makes the verdict unknowable from names: no error', async () => {
    const { diagnostics } = await load(minimalYaml(['    network: { egress: deny, rules: [{ allow: 10.0.0.0/8 }] }', '    credentials: { ANTHROPIC_API_KEY: { value: "${ANTHROPIC_API_KEY}", hosts: [api.anthropic.com] } }'].join('\n')));
    assert.deepEqual(diagnostics, []);
  });

  it('a credential variable also under env, or one of the token variables, is refused at its key', async () => {
    const yaml = minimalYaml(['    env: { ANTHROPIC_API_KEY: x }', '    credentials:', '      ANTHROPIC_API_KEY: { value: "${ANTHROPIC_API_KEY}", hosts: [api.anthropic.com] }', '      OPENWORK_TOKEN: { value: "${ANTHROPIC_API_KEY}", hosts: [api.anthropic.com] }'].join('\n'));
    const { diagnostics } = await load(yaml);
    assert.deepEqual(diagnostics.map(where), [
      '9:7 sandboxes.alice.credentials.ANTHROPIC_API_KEY: ANTHROPIC_API_KEY is also set under env',
      '10:7 sandboxes.alice.credentials.OPENWORK_TOKEN: OPENWORK_TOKEN is where the client token goes',
    ]);
  });

  it('hosts that are not host names (a URL, an IP, a port) are refused each at its place', async () => {
    const yaml = minimalYaml('    credentials: { ANTHROPIC_API_KEY: { value: "${ANTHROPIC_API_KEY}", hosts: ["https://api.anthropic.com", 1.2.3.4, "api.anthropic.com:443", "*.openai.com"] } }');
    const { diagnostics } = await load(yaml);
    assert.deepEqual(diagnostics.map((d) => `${d.path}: ${d.message}`), [
      'sandboxes.alice.credentials.ANTHROPIC_API_KEY.hosts[0]: "https://api.anthropic.com" is not a host name',
      'sandboxes.alice.credentials.ANTHROPIC_API_KEY.hosts[1]: "1.2.3.4" is not a host name',
      'sandboxes.alice.credentials.ANTHROPIC_API_KEY.hosts[2]: "api.anthropic.com:443" is not a host name',
    ]);
  });

  it('rule problems: both allow and deny, a URL as target (with the fix), an unknown protocol', async () => {
    const yaml = minimalYaml('    network: { rules: [{ allow: a.example.com, deny: b.example.com }, { allow: "https://x.example.com/" }, { allow: "x.example.com:443" }, { allow: x.example.com, protocol: icmp }] }');
    const { diagnostics } = await load(yaml);
    const lines = diagnostics.map((d) => `${d.path}: ${d.message} (${d.hint ?? ''})`);
    assert.equal(lines.length, 4, lines.join('\n'));
    assert.match(lines[0]!, /rules\[0\]: a rule names both allow and deny/);
    assert.match(lines[1]!, /rules\[1\]\.allow: "https:\/\/x\.example\.com\/" is not a host name.*no scheme or path/);
    assert.match(lines[2]!, /rules\[2\]\.allow: .*ports: \[443\]/);
    assert.match(lines[3]!, /rules\[3\]\.protocol: "icmp" is not one of: tcp, udp/);
  });

  it('an empty credential value is refused without showing anything of it; a non-empty one never appears in any message', async () => {
    const yaml = minimalYaml('    credentials: { ANTHROPIC_API_KEY: { value: "${EMPTY_VAR}", hosts: [api.anthropic.com] }, OTHER_KEY: { value: "${ANTHROPIC_API_KEY}", hosts: ["bad host"] } }');
    const result = await load(yaml);
    const text = JSON.stringify(result.diagnostics);
    assert.match(text, /ANTHROPIC_API_KEY\.value","message":"is empty"/);
    assert.equal(text.includes(KEY), false);
    assert.ok(result.secrets.includes(KEY), 'the credential value is a secret the views mask');
  });

  it('an env value equal to a credential value is sensitive too', async () => {
    const { desired, diagnostics } = await load(minimalYaml('    env: { COPY: "${ANTHROPIC_API_KEY}" }\n    credentials: { ANTHROPIC_API_KEY: { value: "${ANTHROPIC_API_KEY}", hosts: [api.anthropic.com] } }'));
    assert.deepEqual(diagnostics, []);
    assert.deepEqual(desired!.sandboxes[0]!.sensitiveEnv, ['COPY']);
  });

  it('opensandbox: what its capabilities cannot express is refused, naming the backend', async () => {
    const yaml = [
      'version: 1',
      'project: demo',
      'backend: { type: opensandbox, url: "http://sandbox.example:8080" }',
      'sandboxes:',
      '  alice:',
      '    image: img',
      '    command: [openwork-server]',
      '    tokens: { client: "${OPENWORK_TOKEN}", host: "${OPENWORK_HOST_TOKEN}" }',
      '    network: { rules: [{ deny: 169.254.169.254 }] }',
      '',
    ].join('\n');
    const { diagnostics } = await load(yaml);
    assert.deepEqual(diagnostics.map((d) => `${d.path}: ${d.message}`), ['sandboxes.alice.network.rules[0].deny: a rule naming an IP address cannot be expressed on the opensandbox backend']);
  });

  it('warnings (validate and plan): a credential host the policy blocks while another is allowed, and the hosts OpenCode reaches at start', async () => {
    const yaml = minimalYaml(['    network: { egress: deny, rules: [{ allow: api.anthropic.com, ports: [443] }] }', '    credentials: { ANTHROPIC_API_KEY: { value: "${ANTHROPIC_API_KEY}", hosts: [api.anthropic.com, console.anthropic.com] } }'].join('\n'));
    const { desired, diagnostics } = await load(yaml);
    assert.deepEqual(diagnostics, []);
    assert.deepEqual(fileWarnings(desired), [
      'network (alice) blocks console.anthropic.com, a host of the credential ANTHROPIC_API_KEY; allow it with { allow: console.anthropic.com, ports: [443] } under network.rules (README: "Egress and credentials")',
      'network (alice) blocks models.opencode.ai, where OpenCode fetches its model catalogue at start; allow it with { allow: models.opencode.ai, ports: [443] } under network.rules (README: "Egress and credentials")',
      'network (alice) blocks registry.npmjs.org, where OpenCode fetches its plugins (installed with npm at start) at start; allow it with { allow: registry.npmjs.org, ports: [443] } under network.rules (README: "Egress and credentials")',
    ]);
    const open = await load(minimalYaml());
    assert.deepEqual(fileWarnings(open.desired), [], 'without network the runtime default lets OpenCode reach public hosts');
  });

  it('with a credential, env may not override the variables that make the guest trust the interception CA (OpenCode reads NODE_EXTRA_CA_CERTS)', async () => {
    const { diagnostics } = await load(minimalYaml('    env: { NODE_EXTRA_CA_CERTS: /etc/my-ca.pem }\n    credentials: { ANTHROPIC_API_KEY: { value: "${ANTHROPIC_API_KEY}", hosts: [api.anthropic.com] } }'));
    assert.deepEqual(diagnostics.map((d) => d.path), ['sandboxes.alice.env.NODE_EXTRA_CA_CERTS']);
    const without = await load(minimalYaml('    env: { NODE_EXTRA_CA_CERTS: /etc/my-ca.pem }'));
    assert.deepEqual(without.diagnostics, []);
  });

  it('a credential value is a secret of the file: a label or command holding it is refused, an env value holding it is sensitive', async () => {
    const { diagnostics } = await load(minimalYaml('    labels: { key: "${ANTHROPIC_API_KEY}" }\n    credentials: { ANTHROPIC_API_KEY: { value: "${ANTHROPIC_API_KEY}", hosts: [api.anthropic.com] } }'));
    assert.deepEqual(diagnostics.map((d) => d.path), ['sandboxes.alice.labels.key']);
    assert.equal(JSON.stringify(diagnostics).includes(KEY), false);
    const bearer = await load(minimalYaml('    env: { AUTH: "Bearer ${ANTHROPIC_API_KEY}" }\n    credentials: { ANTHROPIC_API_KEY: { value: "${ANTHROPIC_API_KEY}", hosts: [api.anthropic.com] } }'));
    assert.deepEqual(bearer.desired!.sandboxes[0]!.sensitiveEnv, ['AUTH']);
  });
});
