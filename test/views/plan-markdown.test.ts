/**
 * The Markdown plan (PR comments, step summaries): a golden file per plan case beside plan.txt and plan.json
 * (test/fixtures/plan/<case>/plan.md; UPDATE_GOLDEN=1 rewrites them), then the behaviours a reviewer relies on:
 * destructive and protected changes first, drift called out, unchanged sandboxes counted, the size cap, no secrets.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { DesiredState } from '../../src/model/desired.ts';
import type { ObservedState } from '../../src/model/observed.ts';
import { SENSITIVE, type Change } from '../../src/model/plan.ts';
import { plan } from '../../src/plan/planner.ts';
import { planDocument, type PlanDocument } from '../../src/views/plan-json.ts';
import { DEFAULT_MARKDOWN_MAX_BYTES, inlineCode, renderPlanMarkdown } from '../../src/views/plan-markdown.ts';
import { CLIENT_TOKEN, desiredSandbox, desiredState, HOST_TOKEN, observedFrom, observedState } from '../helpers/states.ts';

const root = join(import.meta.dirname, '..', 'fixtures', 'plan');

function golden(file: string, actual: string): void {
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, actual);
  assert.equal(actual, readFileSync(file, 'utf8'), `${file} differs (UPDATE_GOLDEN=1 to accept)`);
}

async function caseDocument(name: string): Promise<PlanDocument> {
  const input = (await import(pathToFileURL(join(root, name, 'case.ts')).href)) as { desired: DesiredState; observed: ObservedState };
  return planDocument(plan(input.desired, input.observed), 'openwork.yaml');
}

/** The `<details>` sections, by sandbox name, in output order. */
const sectionNames = (markdown: string) => [...markdown.matchAll(/<summary><code>[^<]*<\/code> <strong>([^<]+)<\/strong>/g)].map((m) => m[1]);
const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

describe('plan markdown golden files', () => {
  for (const name of readdirSync(root).sort()) {
    it(name, async () => {
      const markdown = renderPlanMarkdown(await caseDocument(name), {});
      golden(join(root, name, 'plan.md'), markdown);
      for (const secret of [CLIENT_TOKEN, HOST_TOKEN]) assert.ok(!markdown.includes(secret), `${name}: a token leaked`);
    });
  }
});

describe('plan markdown', () => {
  it('heads with the project and file, and counts every action in a table', async () => {
    const markdown = renderPlanMarkdown(await caseDocument('empty-to-create'));
    assert.match(markdown, /^### owctl plan: project `demo`\n\nFile: `openwork\.yaml`\n/);
    assert.match(markdown, /\| `\+` create \| 2 \|/);
    assert.match(markdown, /\| `-` destroy \| 0 \|/);
    assert.match(markdown, /\*\*Plan: 2 to add, 0 to change, 0 to replace, 0 to destroy, 0 to start\.\*\*/);
    assert.deepEqual(sectionNames(markdown), ['alice', 'bob']);
  });

  it('calls out replacements, destroys and protected sandboxes above everything else', async () => {
    const markdown = renderPlanMarkdown(await caseDocument('delete-and-protect'));
    const warnings = markdown.split('\n').filter((line) => line.startsWith('⚠️'));
    assert.equal(warnings.length, 2);
    assert.match(warnings[0]!, /`alice` will be replaced .*`bob`, `carol` will be destroyed/);
    assert.match(warnings[1]!, /`alice`, `bob` are marked `protect: true`; `owctl apply` will refuse/);
    assert.ok(markdown.indexOf('⚠️') < markdown.indexOf('| action | count |'));
    assert.match(markdown, /<strong>bob<\/strong> will be destroyed \(it is no longer in the file\) ⚠️ protected/);
  });

  it('names drifted fields in their own callout and marks them in the diff', async () => {
    const markdown = renderPlanMarkdown(await caseDocument('drift'));
    assert.match(markdown, /\*\*Changed outside of owctl\*\*.*\n\n- `alice`: `resources\.memory`, `env\.OPENWORK_APPROVAL_MODE`\n/);
    assert.match(markdown, /^~ resources\.memory +\= "1G" -> "2G" # changed outside owctl$/m);
    assert.match(markdown, /^~ resources\.cpus +\= 2 -> 4$/m);
  });

  it('puts each changed sandbox in a collapsed section with its reason and a diff block', async () => {
    const markdown = renderPlanMarkdown(await caseDocument('replace-image-port'));
    assert.match(markdown, /<details><summary><code>-\/\+<\/code> <strong>bob<\/strong> must be replaced \(mounts, ports cannot change in place\); destroy, then create<\/summary>\n\n```diff\n/);
    assert.match(markdown, /^- ports\[127\.0\.0\.1:8788\/tcp\] = "127\.0\.0\.1:8788->8787\/tcp" # forces replacement$/m);
    assert.match(markdown, /^\+ ports\[127\.0\.0\.1:9788\/tcp\] = "127\.0\.0\.1:9788->8787\/tcp" # forces replacement$/m);
    assert.match(markdown, /^ {2}# \(12 unchanged attributes hidden\)$/m);
    assert.equal(markdown.match(/<details>/g)?.length, markdown.match(/<\/details>/g)?.length);
  });

  it('counts unchanged sandboxes instead of listing them', () => {
    const [alice, bob, carol] = ['alice', 'bob', 'carol'].map((name, i) => desiredSandbox(name, { ports: [{ host: 8787 + i, guest: 8787, bind: '127.0.0.1', protocol: 'tcp' }] }));
    const desired = desiredState([alice!, bob!, { ...carol!, memoryMib: 4096 }]);
    const observed = observedState([observedFrom('demo', alice!), observedFrom('demo', bob!), observedFrom('demo', carol!)]);
    const markdown = renderPlanMarkdown(planDocument(plan(desired, observed), 'openwork.yaml'));
    assert.deepEqual(sectionNames(markdown), ['carol']);
    assert.match(markdown, /_2 sandboxes are unchanged \(not listed\)\._\n$/);
  });

  it('says "No changes" when there are none', async () => {
    assert.match(renderPlanMarkdown(await caseDocument('noop')), /✅ \*\*No changes\.\*\* Live sandboxes match `openwork\.yaml`\./);
  });

  it('lists conflicts', async () => {
    assert.match(renderPlanMarkdown(await caseDocument('conflict')), /❌ \*\*Conflicts\*\*.*\n\n- `alice`: the name "alice" is held by a sandbox not managed by owctl/);
  });

  it('never prints a secret, even if a sensitive field were to carry one', async () => {
    const document = await caseDocument('empty-to-create');
    const leaky: PlanDocument = {
      ...document,
      changes: document.changes.map((c) => ({ ...c, fields: c.fields.map((f) => (f.sensitive ? { ...f, after: f.path.endsWith('HOST_TOKEN') ? HOST_TOKEN : CLIENT_TOKEN } : f)) })),
    };
    const markdown = renderPlanMarkdown(leaky);
    for (const secret of [CLIENT_TOKEN, HOST_TOKEN]) assert.ok(!markdown.includes(secret));
    assert.match(markdown, /^\+ env\.OPENWORK_TOKEN +\= \(sensitive value\)$/m);
  });

  it('keeps hostile values inside their code block and out of the HTML', () => {
    const change: Change = {
      sandbox: 'alice',
      action: 'update',
      reason: 'will be updated in place <script>alert(1)</script>',
      fields: [{ path: 'env.NOTE', before: 'a', after: '```\n</details><img src=x>', sensitive: false, disposition: 'restart', origin: 'file' }],
      unchanged: 0,
      restart: true,
      start: true,
      blocked: false,
      status: 'Running',
    };
    const document: PlanDocument = { format_version: '1.0', project: 'demo', file: 'open`work.yaml', changes: [change], conflicts: [], summary: { create: 0, update: 1, replace: 0, delete: 0, start: 0, noop: 0 }, has_changes: true };
    const markdown = renderPlanMarkdown(document);
    const outsideCode = markdown.replace(/^````diff\n[\s\S]*?\n````$/m, '');
    assert.ok(!outsideCode.includes('<script>') && !outsideCode.includes('<img'), 'no raw HTML outside the code block');
    assert.match(markdown, /^````diff\n~ env\.NOTE = "a" -> "```\\n<\/details><img src=x>"\n````$/m, 'a longer fence than any backtick run, the value on one line');
    assert.ok(markdown.includes('File: ``open`work.yaml``'));
    assert.equal(inlineCode('`x'), '`` `x ``');
  });

  it('leaves out whole sandbox sections past maxBytes, says how many, and stays under the cap', () => {
    const sandboxes = Array.from({ length: 400 }, (_, i) => desiredSandbox(`sandbox-${String(i).padStart(3, '0')}`, { ports: [{ host: 10_000 + i, guest: 8787, bind: '127.0.0.1', protocol: 'tcp' }] }));
    const document = planDocument(plan(desiredState(sandboxes), observedState([])), 'openwork.yaml');
    const full = renderPlanMarkdown(document, { maxBytes: Number.MAX_SAFE_INTEGER });
    assert.equal(sectionNames(full).length, 400);
    assert.ok(bytes(full) > DEFAULT_MARKDOWN_MAX_BYTES);

    for (const maxBytes of [DEFAULT_MARKDOWN_MAX_BYTES, 20_000, 5_000]) {
      const markdown = renderPlanMarkdown(document, { maxBytes });
      const shown = sectionNames(markdown);
      assert.ok(bytes(markdown) <= maxBytes, `${bytes(markdown)} bytes > ${maxBytes}`);
      assert.ok(shown.length > 0 && shown.length < 400);
      assert.deepEqual(shown, sectionNames(full).slice(0, shown.length), 'the first sections, whole and in order');
      assert.ok(markdown.includes(`**${400 - shown.length} more changed sandboxes are not shown**`));
      assert.match(markdown, /Run `owctl plan` for the full plan\./);
      assert.equal(markdown.match(/<details>/g)?.length, markdown.match(/<\/details>/g)?.length);
      assert.match(markdown, /\| `\+` create \| 400 \|/, 'the summary still counts everything');
    }
    assert.equal(renderPlanMarkdown(document), renderPlanMarkdown(document, { maxBytes: DEFAULT_MARKDOWN_MAX_BYTES }));
  });

  it('keeps the top of the comment short however many sandboxes drifted, and still says how many sections it left out under a tiny cap', () => {
    const sandboxes = Array.from({ length: 30 }, (_, i) => desiredSandbox(`s${String(i).padStart(2, '0')}`, { ports: [{ host: 10_000 + i, guest: 8787, bind: '127.0.0.1', protocol: 'tcp' }] }));
    const observed = observedState(sandboxes.map((s) => observedFrom('demo', s, { memoryMib: 1024 })));
    const document = planDocument(plan(desiredState(sandboxes), observed), 'openwork.yaml');
    const markdown = renderPlanMarkdown(document);
    assert.equal(markdown.match(/^- `s\d\d`: `resources\.memory`$/gm)?.length, 20);
    assert.match(markdown, /^- and 10 more sandboxes$/m);
    const tiny = renderPlanMarkdown(document, { maxBytes: 100 });
    assert.deepEqual(sectionNames(tiny), []);
    assert.ok(tiny.includes('**30 more changed sandboxes are not shown**'));
  });

  it('is byte-identical for the same plan', async () => {
    const document = await caseDocument('delete-and-protect');
    assert.equal(renderPlanMarkdown(document), renderPlanMarkdown(structuredClone(document)));
  });

  it('shows what preflight found, errors first, with their hints, escaped (apply will refuse on errors)', () => {
    const sandboxes = [desiredSandbox('alice')];
    const document = planDocument(plan(desiredState(sandboxes), observedState([])), 'openwork.yaml', [
      { severity: 'warning', code: 'host.unchecked', message: 'could not ask msb doctor <whether> this host boots', hint: 'run `owctl doctor`' },
      { severity: 'error', code: 'port.busy', sandbox: 'alice', message: 'host port 127.0.0.1:8787 is held by another process', hint: "stop it (`ss -ltnp 'sport = :8787'`) or choose another ports[].host" },
    ]);
    const markdown = renderPlanMarkdown(document, { maxBytes: 400 });
    assert.match(markdown, /❌ \*\*Preflight: apply would fail \(1 error\)\*\* and will refuse before changing anything:/);
    const error = markdown.indexOf('- **error** `alice`: host port 127.0.0.1:8787 is held by another process');
    const warning = markdown.indexOf('- **warning**: could not ask msb doctor &lt;whether&gt; this host boots');
    assert.ok(error > 0 && warning > error, markdown);
    assert.ok(markdown.includes("hint: stop it (`ss -ltnp 'sport = :8787'`) or choose another ports[].host"), markdown);
  });

  it('names sandboxes that are asleep (stopped by their idle timeout or max duration): in sync but not serving', () => {
    const alice = desiredSandbox('alice');
    const observed = observedState([{ ...observedFrom('demo', alice), status: 'Stopped', stoppedBy: 'idle_timeout' }]);
    const document = planDocument(plan(desiredState([alice]), observed), 'openwork.yaml');
    assert.equal(document.has_changes, false, JSON.stringify(document.changes));
    const markdown = renderPlanMarkdown(document);
    assert.match(markdown, /💤 `alice` is asleep: msb stopped it at its idle_timeout/);
    assert.match(markdown, /`owctl apply --wake` starts/);
  });

  it('renders SENSITIVE exactly as the other views do', () => {
    assert.equal(SENSITIVE, '(sensitive value)');
  });
});
