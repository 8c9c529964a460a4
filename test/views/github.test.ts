/** GitHub Actions output: masking, annotations with GitHub's escaping rules, the step summary file, the apply table. */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { ApplyResult } from '../../src/apply/events.ts';
import type { Diagnostic } from '../../src/config/load.ts';
import { isGitHubActions } from '../../src/commands/io.ts';
import { applySummaryMarkdown, appendStepSummary, errorAnnotations, escapeData, escapeProperty, maskCommands } from '../../src/views/github.ts';
import { CLIENT_TOKEN, HOST_TOKEN } from '../helpers/states.ts';

/** What the runner does with a command line (actions/runner ActionCommand): split, then unescape. */
function parseCommand(line: string): { command: string; properties: Record<string, string>; data: string } {
  const match = /^::([a-z-]+)(?: ([^:]*))?::(.*)$/.exec(line);
  assert.ok(match, `not a workflow command: ${line}`);
  const unescapeData = (s: string) => s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
  const unescapeProperty = (s: string) => unescapeData(s.replace(/%3A/g, ':').replace(/%2C/g, ','));
  const properties: Record<string, string> = {};
  for (const pair of (match[2] ?? '').split(',').filter(Boolean)) {
    const [key, ...value] = pair.split('=');
    properties[key!] = unescapeProperty(value.join('='));
  }
  return { command: match[1]!, properties, data: unescapeData(match[3]!) };
}

const lines = (text: string) => text.split('\n').filter((line) => line !== '');

describe('GitHub Actions', () => {
  it('is detected only by GITHUB_ACTIONS=true', () => {
    assert.equal(isGitHubActions({ GITHUB_ACTIONS: 'true' }), true);
    assert.equal(isGitHubActions({ GITHUB_ACTIONS: 'false' }), false);
    assert.equal(isGitHubActions({ CI: 'true' }), false);
  });

  it('masks each distinct secret once, multi-line ones line by line, and nothing empty', () => {
    const output = maskCommands([HOST_TOKEN, CLIENT_TOKEN, HOST_TOKEN, '', '   ', '-----BEGIN KEY-----\r\nabcdef0123\n\n-----END KEY-----\n']);
    const masked = lines(output).map(parseCommand);
    assert.ok(masked.every((c) => c.command === 'add-mask'));
    assert.deepEqual(masked.map((c) => c.data), [HOST_TOKEN, CLIENT_TOKEN, '-----BEGIN KEY-----', 'abcdef0123', '-----END KEY-----']);
    assert.ok(output.endsWith('\n'));
    assert.equal(maskCommands([]), '');
  });

  it('escapes a secret so the runner masks the value itself, not its unescaped form', () => {
    const secret = 'pct%0Avalue%25-1234';
    const [command] = lines(maskCommands([secret])).map(parseCommand);
    assert.equal(command?.data, secret);
  });

  it('escapes data and properties the way the runner unescapes them', () => {
    assert.equal(escapeData('100% done\r\nnext'), '100%25 done%0D%0Anext');
    assert.equal(escapeProperty('a:b,c%\n'), 'a%3Ab%2Cc%25%0A');
  });

  it('annotates each diagnostic on its file, line and column, relative to the workspace', () => {
    const diagnostics: Diagnostic[] = [
      { file: '/repo/openwork.yaml', line: 12, col: 7, path: 'sandboxes.alice.resources.memory', message: 'must be a size: 512M, 1.5G', hint: 'did you mean "2G"?' },
      { file: '/repo/config/a,b:c%.yaml', line: 1, col: 1, path: '', message: 'the file is empty' },
      { file: '/elsewhere/openwork.yaml', line: 3, col: 2, path: 'version', message: 'must be 1' },
    ];
    const output = errorAnnotations(diagnostics, '/repo');
    const [first, second, third] = lines(output).map(parseCommand);
    assert.deepEqual(first, {
      command: 'error',
      properties: { file: 'openwork.yaml', line: '12', col: '7', title: 'owctl validate' },
      data: 'sandboxes.alice.resources.memory: must be a size: 512M, 1.5G\nhint: did you mean "2G"?',
    });
    assert.equal(lines(output)[0], '::error file=openwork.yaml,line=12,col=7,title=owctl validate::sandboxes.alice.resources.memory: must be a size: 512M, 1.5G%0Ahint: did you mean "2G"?');
    assert.deepEqual(second?.properties.file, 'config/a,b:c%.yaml');
    assert.ok(lines(output)[1]!.startsWith('::error file=config/a%2Cb%3Ac%25.yaml,line=1,col=1,'));
    assert.equal(second?.data, 'the file is empty');
    assert.equal(third?.properties.file, '/elsewhere/openwork.yaml');
    assert.equal(lines(errorAnnotations(diagnostics.slice(0, 1), '/repo', 'owctl plan'))[0]!.includes(',title=owctl plan::'), true);
    assert.equal(errorAnnotations([], '/repo'), '');
  });

  it('appends to the step summary file when GITHUB_STEP_SUMMARY is set, and only then', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'owctl-summary-'));
    try {
      const file = join(dir, 'summary.md');
      await writeFile(file, '# earlier step\n');
      await appendStepSummary({ GITHUB_STEP_SUMMARY: file }, '### one\n\n| a |\n');
      await appendStepSummary({ GITHUB_STEP_SUMMARY: file }, '### two');
      assert.equal(await readFile(file, 'utf8'), '# earlier step\n### one\n\n| a |\n\n### two\n\n');
      await appendStepSummary({}, 'ignored');
      await appendStepSummary({ GITHUB_STEP_SUMMARY: '' }, 'ignored');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('tabulates an apply: action, outcome, duration, and the failing step with its message and hint', () => {
    const result: ApplyResult = {
      interrupted: false,
      outcomes: [
        { sandbox: 'alice', action: 'create', outcome: 'succeeded', durationMs: 12_345 },
        { sandbox: 'bob', action: 'replace', outcome: 'failed', durationMs: 420, error: { step: 'verify', code: 'verify.failed', message: 'GET /health | 503\n<html>down</html>', hint: 'run `owctl logs bob`' } },
      ],
    };
    const markdown = applySummaryMarkdown(result, 'Apply');
    assert.match(markdown, /^### owctl apply: failed\n\n1 succeeded, 1 failed, 0 skipped\.\n/);
    assert.match(markdown, /^\| `alice` \| create \| ✅ succeeded \| 12\.3 s \|  \|$/m);
    assert.match(markdown, /^\| `bob` \| replace \| ❌ failed \| 420 ms \| `verify`: GET \/health \\\| 503 &lt;html&gt;down&lt;\/html&gt;<br>hint: run `owctl logs bob` \|$/m);
    const rows = markdown.split('\n').filter((line) => line.startsWith('| `'));
    assert.ok(rows.every((row) => row.split(/(?<!\\)\|/).length === 7), 'five cells in every row');
  });

  it('says when a run was interrupted, what was skipped, and when there was nothing to do', () => {
    const interrupted = applySummaryMarkdown(
      { interrupted: true, outcomes: [{ sandbox: 'carol', action: 'delete', outcome: 'skipped', durationMs: 0, reason: 'interrupted before it started' }] },
      'Destroy',
    );
    assert.match(interrupted, /^### owctl destroy: interrupted\n/);
    assert.match(interrupted, /^\| `carol` \| delete \| ⏭️ skipped \| – \| interrupted before it started \|$/m);
    assert.equal(applySummaryMarkdown({ interrupted: false, outcomes: [] }, 'Apply'), '### owctl apply: complete\n\nNothing to do.\n');
  });
});
