/**
 * A secret in `env` — marked `{ value, sensitive: true }`, or any value equal to a token — is `(sensitive value)` in
 * every plan format, in saved plans, in the labels owctl writes and never on msb's command line.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { modifyPatch } from '../../src/apply/patch.ts';
import { loadConfig } from '../../src/config/load.ts';
import { ownedLabels } from '../../src/model/applied.ts';
import { SENSITIVE } from '../../src/model/plan.ts';
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

/** The minimal file with a plain, a token-equal and a sensitive env value under alice (`extraEnv`: more lines). */
function yaml(extraEnv = ''): string {
  return minimalYaml(['    env:', '      PLAIN: visible', '      SIDECAR_PASSWORD: "${OPENWORK_TOKEN}"', '      MODEL_API_KEY: { value: "${MODEL_API_KEY}", sensitive: true }', extraEnv].join('\n'));
}

async function load(text: string) {
  return withFiles({ 'openwork.yaml': text }, async (dir) => {
    const result = await loadConfig(join(dir, 'openwork.yaml'), ENV);
    assert.deepEqual(result.diagnostics, []);
    return result;
  });
}

function everyFormat(planned: ReturnType<typeof plan>, desired: Parameters<typeof fingerprints>[0], observed: Parameters<typeof fingerprints>[1]): string {
  const document = planDocument(planned, 'openwork.yaml');
  return [
    renderPlanHuman(document, style(false)),
    renderPlanJson(document),
    renderPlanMarkdown(document),
    JSON.stringify(savedPlan(desired.file, planned, fingerprints(desired, observed), [])),
  ].join('\n');
}

const SECRETS = [API_KEY, TEST_ENV.OPENWORK_TOKEN!, TEST_ENV.OPENWORK_HOST_TOKEN!];

function assertClean(text: string, where: string): void {
  for (const secret of SECRETS) assert.ok(!text.includes(secret), `a secret leaked into ${where}`);
}

describe('sensitive env values', () => {
  it('are marked sensitive when declared so or equal to a token, and known as secrets', async () => {
    const { desired, secrets } = await load(yaml());
    const alice = desired!.sandboxes[0]!;
    assert.deepEqual(alice.sensitiveEnv, ['MODEL_API_KEY', 'SIDECAR_PASSWORD']);
    assert.equal(alice.env.MODEL_API_KEY, API_KEY, 'the guest still gets the value');
    assert.ok(secrets.includes(API_KEY));
  });

  it('show as (sensitive value) in plan, --json, markdown and saved plans when created', async () => {
    const { desired } = await load(yaml());
    const observed = observedState([]);
    const planned = plan(desired!, observed);
    const fields = planned.changes[0]!.fields;
    for (const key of ['MODEL_API_KEY', 'SIDECAR_PASSWORD']) {
      const field = fields.find((f) => f.path === `env.${key}`)!;
      assert.deepEqual([field.after, field.sensitive], [SENSITIVE, true]);
    }
    assert.equal(fields.find((f) => f.path === 'env.PLAIN')!.after, 'visible');
    assertClean(everyFormat(planned, desired!, observed), 'a plan');
  });

  it('never reach a label or msb modify argv during an in-place update', async () => {
    const { desired } = await load(yaml());
    const alice = desired!.sandboxes[0]!;
    const labels = ownedLabels('demo', alice);
    assertClean(JSON.stringify(labels), 'owctl labels');
    // Live as applied, then the file changes a plain value and the cpus: an in-place update.
    const live = observedFrom('demo', alice);
    const changed = { ...desired!, sandboxes: [{ ...alice, cpus: 4, env: { ...alice.env, PLAIN: 'changed' } }] };
    const planned = plan(changed, observedState([live]));
    const change = planned.changes[0]!;
    assert.equal(change.action, 'update');
    assertClean(everyFormat(planned, changed, observedState([live])), 'the update plan');
    const argv = modifyArgs('alice', modifyPatch('demo', change, changed.sandboxes[0]!), { secretEnv: alice.sensitiveEnv });
    assertClean(argv.join(' '), 'msb modify argv');
  });

  it('force a replacement when they change: msb modify would put them on argv', async () => {
    const { desired } = await load(yaml());
    const alice = desired!.sandboxes[0]!;
    const live = observedFrom('demo', alice);
    const rotated = { ...desired!, sandboxes: [{ ...alice, env: { ...alice.env, MODEL_API_KEY: 'sk-rotated-key-0123456789' } }] };
    const change = plan(rotated, observedState([live])).changes[0]!;
    assert.equal(change.action, 'replace');
    const field = change.fields.find((f) => f.path === 'env.MODEL_API_KEY')!;
    assert.deepEqual([field.before, field.after, field.disposition], [SENSITIVE, SENSITIVE, 'replace']);
  });
});
