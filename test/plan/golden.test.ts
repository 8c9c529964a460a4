/**
 * Golden files for what users read: one folder per case under test/fixtures/plan/<case>/ holding the input
 * (case.ts) and the expected human plan (plan.txt) and JSON document (plan.json). UPDATE_GOLDEN=1 rewrites them.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { DesiredState } from '../../src/model/desired.ts';
import type { ObservedState } from '../../src/model/observed.ts';
import { plan } from '../../src/plan/planner.ts';
import { renderPlanHuman } from '../../src/views/plan-human.ts';
import { planDocument, renderPlanJson } from '../../src/views/plan-json.ts';
import { style } from '../../src/views/style.ts';
import { CLIENT_TOKEN, HOST_TOKEN } from '../helpers/states.ts';

const root = join(import.meta.dirname, '..', 'fixtures', 'plan');

function golden(file: string, actual: string): void {
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, actual);
  assert.equal(actual, readFileSync(file, 'utf8'), `${file} differs (UPDATE_GOLDEN=1 to accept)`);
}

describe('plan golden files', () => {
  for (const name of readdirSync(root).sort()) {
    it(name, async () => {
      const input = (await import(pathToFileURL(join(root, name, 'case.ts')).href)) as { desired: DesiredState; observed: ObservedState };
      const document = planDocument(plan(input.desired, input.observed), 'openwork.yaml');
      const human = renderPlanHuman(document, style(false));
      const json = renderPlanJson(document);
      golden(join(root, name, 'plan.txt'), human);
      golden(join(root, name, 'plan.json'), json);
      for (const secret of [CLIENT_TOKEN, HOST_TOKEN]) assert.ok(!human.includes(secret) && !json.includes(secret));
    });
  }
});
