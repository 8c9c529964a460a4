/**
 * owctl as a GitHub Actions step, against the real msb 0.6.18: secrets masked before anything else is printed,
 * problems of the file annotated on their lines, the plan (and its Markdown) in the step summary, and
 * `--format markdown` / `--json` agreeing on one plan. Outside Actions none of it appears.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { runCli, type CliResult } from '../helpers/cli.ts';
import { IMAGE_1, projectYaml } from './project-yaml.ts';
import { makeProject, type RealProject } from './real-project.ts';
import { planBootCode } from '../helpers/msb-home.ts';

async function project(t: TestContext): Promise<RealProject> {
  const made = await makeProject();
  t.after(() => made.cleanup());
  await made.loadImage(IMAGE_1);
  await made.write(projectYaml('gha', { a: {}, b: { ports: ['18788:8787'] } }));
  return made;
}

function inActions(p: RealProject): NodeJS.ProcessEnv {
  return { ...p.env, GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: join(p.dir, 'summary.md') };
}

/** Every line holding a token is an `::add-mask::` line, and all of those come before any other output. */
function assertMaskedFirst(result: CliResult, p: RealProject): void {
  const lines = result.stderr.split('\n').filter((line) => line !== '');
  const masks = lines.filter((line) => line.startsWith('::add-mask::'));
  assert.deepEqual(new Set(masks), new Set([`::add-mask::${p.tokens.client}`, `::add-mask::${p.tokens.host}`]));
  assert.deepEqual(lines.slice(0, masks.length), masks, 'the masks come first');
  for (const token of [p.tokens.client, p.tokens.host]) {
    assert.ok(!result.stdout.includes(token), 'no token on stdout');
    assert.ok(lines.every((line) => line.startsWith('::add-mask::') || !line.includes(token)), 'tokens only in mask lines');
  }
}

describe('owctl in GitHub Actions', () => {
  it('plan masks the tokens first and appends the Markdown plan to the step summary', async (t) => {
    const p = await project(t);
    const env = inActions(p);
    const result = await runCli(['plan', '--detailed-exitcode'], { env, cwd: p.dir });
    assert.equal(result.code, await planBootCode(2));
    assertMaskedFirst(result, p);
    assert.match(result.stdout, /^  \+ sandbox "a" \{$/m, 'stdout keeps the human plan');
    assert.match(result.stdout, /^Plan: 2 to add/m);
    const summary = await readFile(env.GITHUB_STEP_SUMMARY!, 'utf8');
    const markdown = await runCli(['plan', '--format', 'markdown'], { env: p.env, cwd: p.dir });
    assert.equal(summary, `${markdown.stdout.trimEnd()}\n\n`);
    assert.match(summary, /<summary>.*a.*<\/summary>/);
    for (const token of [p.tokens.client, p.tokens.host]) assert.ok(!summary.includes(token));
  });

  it('annotates every problem of a bad file on its line, in validate and in plan, and changes nothing', async (t) => {
    const p = await project(t);
    await p.write(`${projectYaml('gha', { a: {} })}    idle_timout: 5m\n    resources: { memory: lots }\n`);
    const env = inActions(p);
    const validate = await runCli(['validate'], { env, cwd: p.dir });
    assert.equal(validate.code, 1);
    const annotations = validate.stderr.split('\n').filter((line) => line.startsWith('::error '));
    assert.equal(annotations.length, 2, validate.stderr);
    for (const line of annotations) assert.match(line, /^::error file=openwork\.yaml,line=\d+,col=\d+,title=owctl validate::sandboxes\.a\./);
    assert.ok(annotations.some((line) => line.includes('idle_timeout')), 'did-you-mean survives the escaping');

    const plan = await runCli(['plan'], { env, cwd: p.dir });
    assert.equal(plan.code, 1);
    assert.equal(plan.stderr.split('\n').filter((line) => line.startsWith('::error ') && line.includes('title=owctl plan')).length, 2);
    await assert.rejects(readFile(env.GITHUB_STEP_SUMMARY!, 'utf8'), { code: 'ENOENT' });
  });

  it('prints no workflow commands and writes no summary outside Actions', async (t) => {
    const p = await project(t);
    const result = await runCli(['plan'], { env: { ...p.env, GITHUB_STEP_SUMMARY: join(p.dir, 'summary.md') }, cwd: p.dir });
    assert.equal(result.code, await planBootCode(0));
    assert.doesNotMatch(result.stdout + result.stderr, /::/);
    await assert.rejects(readFile(join(p.dir, 'summary.md'), 'utf8'), { code: 'ENOENT' });
  });
});

describe('owctl plan --format', () => {
  it('json is --json, markdown is the PR comment, and --json with another format is refused', async (t) => {
    const p = await project(t);
    const json = await p.owctl(['plan', '--json']);
    const format = await p.owctl(['plan', '--format', 'json']);
    assert.equal(format.code, await planBootCode(0));
    assert.deepEqual(JSON.parse(format.stdout), JSON.parse(json.stdout));

    const markdown = await p.owctl(['plan', '--format', 'markdown', '-o', join(p.dir, 'plan.json')]);
    assert.equal(markdown.code, await planBootCode(0));
    assert.match(markdown.stdout, /^#+ /);
    assert.match(markdown.stdout, /2 to add/);
    assert.doesNotMatch(markdown.stdout, /Saved the plan/, 'stdout stays pure Markdown');

    const both = await p.owctl(['plan', '--json', '--format', 'markdown']);
    assert.equal(both.code, 1);
    assert.match(both.stderr, /--json and --format markdown/);
    const bad = await p.owctl(['plan', '--format', 'yaml']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /Allowed choices are human, json, markdown/);
  });
});
