/** The human plan's ending: a fleet's identical preflight problems are one entry, and the `Plan:` line closes the plan. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PreflightProblem } from '../../src/model/preflight.ts';
import { plan } from '../../src/plan/planner.ts';
import { refusePreflight } from '../../src/commands/preflight.ts';
import type { OwctlError } from '../../src/errors.ts';
import { renderPlanHuman } from '../../src/views/plan-human.ts';
import { planDocument } from '../../src/views/plan-json.ts';
import { renderPlanMarkdown } from '../../src/views/plan-markdown.ts';
import { style } from '../../src/views/style.ts';
import { desiredSandbox, desiredState, observedState } from '../helpers/states.ts';

const names = Array.from({ length: 30 }, (_, i) => `s${String(i).padStart(2, '0')}`);
const notCached = (sandbox: string): PreflightProblem => ({
  severity: 'error',
  code: 'image.not_cached',
  sandbox,
  message: "image openwork-microsandbox:dev is not in msb's cache, and pull: never forbids fetching it",
  hint: 'load it (`msb load -i FILE -t openwork-microsandbox:dev`)',
});

describe('human plan of a fleet', () => {
  const desired = desiredState(names.map((name) => desiredSandbox(name)));
  const planned = plan(desired, observedState([]));

  it('groups identical preflight problems into one entry that names the sandboxes, and keeps the others apart', () => {
    const busy: PreflightProblem = { severity: 'error', code: 'port.busy', sandbox: 's03', message: 'host port 127.0.0.1:9000 is already in use', hint: 'choose another ports[].host for s03' };
    const text = renderPlanHuman(planDocument(planned, 'openwork.yaml', [...names.map(notCached), busy]), style(false));
    const preflight = text.slice(text.indexOf('Preflight:'));
    assert.equal(preflight.match(/is not in msb's cache/g)?.length, 1, preflight);
    assert.match(preflight, /error: 30 sandboxes \(s00, s01, s02, .* and \d+ more\): image openwork-microsandbox:dev is not in msb's cache/);
    assert.match(preflight, /Preflight: apply would fail \(31 errors\)/);
    assert.match(preflight, /error: s03: host port 127\.0\.0\.1:9000 is already in use/);
    assert.equal(preflight.match(/hint: /g)?.length, 2);
  });

  it('the Markdown plan groups them the same way', () => {
    const markdown = renderPlanMarkdown(planDocument(planned, 'openwork.yaml', names.map(notCached)));
    assert.equal(markdown.match(/is not in msb's cache/g)?.length, 1, markdown);
    assert.match(markdown, /- \*\*error\*\* 30 sandboxes \(`s00`, `s01`, `s02`, `s03`, `s04` and 25 more\): image/);
  });

  it('apply\'s refusal says each distinct problem once', () => {
    assert.throws(() => refusePreflight(names.map(notCached)), (error: OwctlError) => {
      assert.equal(error.code, 'plan.preflight');
      assert.equal(error.message.match(/is not in msb's cache/g)?.length, 1, error.message);
      assert.match(error.message, /^refusing to apply, nothing was changed: 30 sandboxes \(s00, s01, s02, s03, s04 and 25 more\): image/);
      assert.equal((error.details?.problems as unknown[]).length, 30, 'the JSON details keep every problem');
      return true;
    });
  });

  it('ends with the Plan: line, after the preflight problems', () => {
    const text = renderPlanHuman(planDocument(planned, 'openwork.yaml', names.map(notCached)), style(false));
    const lines = text.trimEnd().split('\n');
    assert.match(lines.at(-1)!, /^Plan: 30 to add, 0 to change, 0 to replace, 0 to destroy, 0 to start\.$/);
    assert.ok(text.indexOf('Preflight:') < text.lastIndexOf('Plan: 30 to add'));
  });
});
