/**
 * A secret written inside another value (`AUTH_HEADER: "Bearer ${OPENWORK_TOKEN}"`) is as secret as the secret
 * itself: an env value holding one is sensitive as a whole (plan in every format, saved plans, labels, msb argv),
 * and a value that can only be public (a label, the command, an image reference, a path) is refused at its line.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { modifyPatch } from '../../src/apply/patch.ts';
import { loadConfig } from '../../src/config/load.ts';
import { ownedLabels } from '../../src/model/applied.ts';
import { SENSITIVE } from '../../src/model/plan.ts';
import { buildConf } from '../../src/msb/conf.ts';
import { modifyArgs } from '../../src/msb/modify.ts';
import { fingerprints } from '../../src/plan/fingerprint.ts';
import { plan } from '../../src/plan/planner.ts';
import { savedPlan } from '../../src/plan/saved-plan.ts';
import { renderPlanHuman } from '../../src/views/plan-human.ts';
import { planDocument, renderPlanJson } from '../../src/views/plan-json.ts';
import { renderPlanMarkdown } from '../../src/views/plan-markdown.ts';
import { style } from '../../src/views/style.ts';
import { minimalYaml, TEST_ENV, withFiles } from '../config/helpers.ts';
import { observedFrom, observedState } from '../helpers/states.ts';

const API_KEY = 'sk-model-api-key-0123456789';
const ENV = { ...TEST_ENV, MODEL_API_KEY: API_KEY };
const SECRETS = [API_KEY, TEST_ENV.OPENWORK_TOKEN!, TEST_ENV.OPENWORK_HOST_TOKEN!];

async function load(text: string) {
  return withFiles({ 'openwork.yaml': text }, (dir) => loadConfig(join(dir, 'openwork.yaml'), ENV));
}

function assertClean(text: string, where: string): void {
  for (const secret of SECRETS) assert.ok(!text.includes(secret), `a secret leaked into ${where}: ${text}`);
}

const HOLDERS = [
  '    env:',
  '      PLAIN: visible',
  '      AUTH_HEADER: "Bearer ${OPENWORK_TOKEN}"',
  '      MODEL_API_KEY: { value: "${MODEL_API_KEY}", sensitive: true }',
  '      MODEL_URL: "https://user:${MODEL_API_KEY}@models.example"',
].join('\n');

describe('a secret inside another env value', () => {
  it('makes the whole value sensitive, and the guest still gets it', async () => {
    const { desired, diagnostics } = await load(minimalYaml(HOLDERS));
    assert.deepEqual(diagnostics, []);
    const alice = desired!.sandboxes[0]!;
    assert.deepEqual(alice.sensitiveEnv, ['AUTH_HEADER', 'MODEL_API_KEY', 'MODEL_URL']);
    assert.equal(alice.env.AUTH_HEADER, `Bearer ${TEST_ENV.OPENWORK_TOKEN}`);
  });

  it('a token of another sandbox inside a value counts too', async () => {
    const text = [
      minimalYaml('    env: { PEER_AUTH: "Bearer ${BOB_OPENWORK_TOKEN}" }'),
      '  bob:',
      '    image: openwork-microsandbox:dev',
      '    tokens: { client: "${BOB_OPENWORK_TOKEN}", host: "${BOB_OPENWORK_HOST_TOKEN}" }',
    ].join('\n');
    const { desired, diagnostics } = await load(text);
    assert.deepEqual(diagnostics, []);
    assert.deepEqual(desired!.sandboxes.find((s) => s.name === 'alice')!.sensitiveEnv, ['PEER_AUTH']);
  });

  it('never shows in any plan format, a saved plan, the labels, msb create conf labels or msb modify argv', async () => {
    const { desired } = await load(minimalYaml(HOLDERS));
    const alice = desired!.sandboxes[0]!;
    const created = plan(desired!, observedState([]));
    const field = created.changes[0]!.fields.find((f) => f.path === 'env.AUTH_HEADER')!;
    assert.deepEqual([field.after, field.sensitive], [SENSITIVE, true]);
    const labels = ownedLabels('demo', alice);
    assertClean(JSON.stringify(labels), 'owctl labels');
    assertClean(JSON.stringify(buildConf(alice, labels).document.labels), 'the conf labels');
    // Live as applied, then an in-place update of a plain value.
    const live = observedFrom('demo', alice);
    const changed = { ...desired!, sandboxes: [{ ...alice, cpus: 4, env: { ...alice.env, PLAIN: 'changed' } }] };
    const updated = plan(changed, observedState([live]));
    assert.equal(updated.changes[0]!.action, 'update');
    for (const [planned, d, o] of [[created, desired!, observedState([])], [updated, changed, observedState([live])]] as const) {
      const document = planDocument(planned, 'openwork.yaml');
      const saved = JSON.stringify(savedPlan(d.file, planned, fingerprints(d, o), []));
      assertClean([renderPlanHuman(document, style(false)), renderPlanJson(document), renderPlanMarkdown(document), saved].join('\n'), 'a plan');
    }
    const argv = modifyArgs('alice', modifyPatch('demo', updated.changes[0]!, changed.sandboxes[0]!), { secretEnv: alice.sensitiveEnv });
    assertClean(argv.join(' '), 'msb modify argv');
  });
});

describe('a secret inside a value that can only be public', () => {
  // [what, lines under alice, the field reported, text of the line it is on]
  const cases: Array<[string, string, RegExp, string]> = [
    ['a label value', '    labels: { auth: "Bearer ${OPENWORK_TOKEN}" }', /labels\.auth/, 'labels:'],
    ['a label that is the token', '    labels: { auth: "${OPENWORK_HOST_TOKEN}" }', /labels\.auth/, 'labels:'],
    ['a command argument', '    command: [/usr/bin/server, "--token=${OPENWORK_TOKEN}"]', /command\[1\]/, 'command:'],
    ['a sensitive env value in the command', '    env: { MODEL_API_KEY: { value: "${MODEL_API_KEY}", sensitive: true } }\n    command: [/usr/bin/server, "${MODEL_API_KEY}"]', /command\[1\]/, 'command:'],
    ['an image reference', '    image: "registry.example/${OPENWORK_TOKEN}:dev"', /image/, 'registry.example'],
  ];
  for (const [what, extra, field, marker] of cases) {
    it(`is refused in ${what}, at its line, with the fix, and without the secret`, async () => {
      const text = extra.includes('image:') ? minimalYaml().replace('    image: openwork-microsandbox:dev', extra) : minimalYaml(extra);
      const { diagnostics } = await load(text);
      const found = diagnostics.filter((d) => /secret/.test(d.message));
      assert.equal(found.length, 1, JSON.stringify(diagnostics));
      const [d] = found;
      assert.match(d!.path, field);
      const line = text.split('\n').findIndex((l) => l.includes(marker)) + 1;
      assert.equal(d!.line, line, JSON.stringify(d));
      assert.match(d!.hint ?? '', /env/);
      assertClean(JSON.stringify(diagnostics), 'the diagnostics');
    });
  }

  it('a short sensitive value does not refuse every label that happens to contain it', async () => {
    const { diagnostics } = await load(minimalYaml('    env: { PIN: { value: "42", sensitive: true } }\n    labels: { room: "b42" }'));
    assert.deepEqual(diagnostics, []);
  });
});
