/**
 * The files people copy: every example under examples/, the repository's openwork.yaml and the README's annotated
 * file are valid, and planned against an empty microsandbox they create exactly the sandboxes they declare. The
 * CI workflow parses, gets its tokens only from secrets into the env of the steps that run owctl, and holds no
 * literal token.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config/load.ts';
import { plan } from '../../src/plan/planner.ts';
import { observedState } from '../helpers/states.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const WORKFLOW = join(ROOT, 'examples', 'ci', 'github-actions.yml');

/** `${NAME…}` references (not `$${…}`, a literal `$`), and those without a default (`:-`), which must be set. */
function references(text: string): { all: string[]; required: string[] } {
  // Comment lines are not read (a commented block, such as the egress example, asks for nothing).
  const read = text.split('\n').filter((line) => !/^\s*#/.test(line)).join('\n');
  const found = [...read.matchAll(/(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)(:?[-?])?/g)];
  const unique = (names: string[]) => [...new Set(names)].sort();
  return { all: unique(found.map((m) => m[1]!)), required: unique(found.filter((m) => !m[2]?.endsWith('-')).map((m) => m[1]!)) };
}

/** A distinct 32-character value per variable (tokens must differ from each other and be at least 16 long). */
function dummyEnv(text: string): NodeJS.ProcessEnv {
  return Object.fromEntries(references(text).all.map((name) => [name, createHash('sha256').update(name).digest('hex').slice(0, 32)]));
}

async function yamlFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .filter((file) => !relative(join(ROOT, 'examples'), file).startsWith('ci'))
    .sort();
}

/** Loads the file as owctl does and plans it against an empty msb: every declared sandbox is created, nothing else. */
async function assertCreatesDeclared(file: string): Promise<string[]> {
  const text = await readFile(file, 'utf8');
  const result = await loadConfig(file, dummyEnv(text));
  assert.deepEqual(result.diagnostics, [], `${file} has problems`);
  assert.ok(result.desired, `${file} did not load`);
  const declared = Object.keys((parse(text) as { sandboxes: Record<string, unknown> }).sandboxes).sort();
  const planned = plan(result.desired, observedState([]));
  assert.deepEqual(planned.conflicts, []);
  assert.deepEqual(planned.changes.map((c) => [c.sandbox, c.action]), declared.map((name) => [name, 'create']));
  assert.equal(planned.summary.create, declared.length);
  return declared;
}

/** The fenced ```yaml block after a heading of the README. */
function readmeYaml(readme: string, heading: string): string {
  const start = readme.indexOf(`\n${heading}\n`);
  assert.ok(start >= 0, `README has no "${heading}"`);
  const block = /```yaml\n([\s\S]*?)\n```/.exec(readme.slice(start));
  assert.ok(block, `no yaml block after "${heading}"`);
  return `${block[1]}\n`;
}

describe('example files', async () => {
  const files = await yamlFiles(join(ROOT, 'examples'));

  it('there are examples to check', () => assert.ok(files.length >= 2, files.join(', ')));

  for (const file of files) {
    it(`${relative(ROOT, file)} validates and, against an empty msb, creates every sandbox it declares`, async () => {
      assert.ok((await assertCreatesDeclared(file)).length > 0);
    });
  }

  it('openwork.yaml (what `owctl init && owctl plan` plans) creates alice and bob', async () => {
    assert.deepEqual(await assertCreatesDeclared(join(ROOT, 'openwork.yaml')), ['alice', 'bob']);
  });

  it("the README's annotated file validates and creates alice", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'owctl-readme-'));
    try {
      const file = join(dir, 'openwork.yaml');
      await writeFile(file, readmeYaml(await readFile(join(ROOT, 'README.md'), 'utf8'), '## The file'));
      assert.deepEqual(await assertCreatesDeclared(file), ['alice']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  env?: Record<string, string>;
  if?: string;
}
interface Job {
  'runs-on': string | string[];
  env?: Record<string, string>;
  steps: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  env?: Record<string, string>;
  jobs: Record<string, Job>;
}

describe('examples/ci/github-actions.yml', async () => {
  const text = await readFile(WORKFLOW, 'utf8');
  const workflow = parse(text) as Workflow;
  const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);
  const runsOwctl = (step: Step) => /\bnpx owctl /.test(step.run ?? '');
  const required = references(await readFile(join(ROOT, 'openwork.yaml'), 'utf8')).required;

  it('plans pull requests, applies pushes to main, and checks drift on a schedule', () => {
    assert.ok('pull_request' in workflow.on);
    assert.deepEqual((workflow.on.push as { branches: string[] }).branches, ['main']);
    const [schedule] = workflow.on.schedule as { cron: string }[];
    assert.equal(schedule?.cron.trim().split(/\s+/).length, 5);
    assert.deepEqual(Object.keys(workflow.jobs).sort(), ['apply', 'drift', 'plan']);
  });

  it('gives every step that runs owctl the tokens openwork.yaml requires, from secrets, and no other step any', () => {
    assert.ok(required.length > 0, 'openwork.yaml requires its tokens from the environment');
    for (const env of [workflow.env, ...Object.values(workflow.jobs).map((job) => job.env)]) {
      assert.ok(!JSON.stringify(env ?? {}).includes('secrets.'), 'secrets only in the env of the steps that need them');
    }
    assert.ok(steps.filter(runsOwctl).length >= 5);
    for (const step of steps) {
      const tokens = Object.keys(step.env ?? {}).filter((key) => /TOKEN/.test(key)).sort();
      assert.deepEqual(tokens, runsOwctl(step) ? required : [], `step ${step.name ?? step.run}`);
      for (const key of tokens) assert.equal(step.env![key], `\${{ secrets.${key} }}`);
    }
  });

  it('never puts a token on a command line, or untrusted event text into a script', () => {
    for (const step of steps.filter((s) => s.run !== undefined)) {
      assert.ok(!step.run!.includes('secrets.'), step.run);
      assert.ok(!step.run!.includes('github.event.'), step.run);
      for (const name of required) assert.ok(!new RegExp(`\\$\\{?${name}\\b`).test(step.run!), `${name} expanded in: ${step.run}`);
    }
  });

  it('holds no literal token-looking value', () => {
    const withoutExpressions = text.replace(/\$\{\{[^}]*\}\}/g, '');
    assert.ok(!/gh[pousr]_[A-Za-z0-9]{20,}|github_pat_|-----BEGIN/.test(withoutExpressions));
    const candidates = withoutExpressions.match(/[A-Za-z0-9+/=_-]{20,}/g) ?? [];
    const tokenLike = candidates.filter((s) => /[0-9]/.test(s) && /[a-z]/.test(s) && /[A-Z]/.test(s));
    assert.deepEqual(tokenLike, []);
    const hexLike = withoutExpressions.match(/\b[0-9a-f]{32,}\b/g) ?? [];
    assert.deepEqual(hexLike, []);
  });

  it('treats exit code 2 of a detailed plan as "changes", and applies only non-interactively', () => {
    for (const step of steps.filter((s) => s.run?.includes('--detailed-exitcode'))) {
      assert.match(step.run!, /set \+e/);
      assert.match(step.run!, /^\s*2\) /m);
    }
    for (const step of steps.filter((s) => /owctl (apply|destroy)\b/.test(s.run ?? ''))) {
      assert.match(step.run!, /owctl apply \S+\.json|--auto-approve/, 'a saved plan or --auto-approve: CI has no TTY to confirm on');
    }
  });
});
