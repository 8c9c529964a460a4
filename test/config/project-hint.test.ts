/** The project name read ahead of loading the file: a plain or quoted name only, never for another backend. */
import assert from 'node:assert/strict';
import path from 'node:path';
import { it } from 'node:test';
import { projectHint } from '../../src/config/project-hint.ts';
import { withFiles } from './helpers.ts';

it('reads a plain or quoted top-level project name, and nothing it cannot be sure of', async () => {
  const cases: Array<[string, string | undefined]> = [
    ['version: 1\nproject: demo\nsandboxes: {}\n', 'demo'],
    ['project: "team-a.x"  # comment\n', 'team-a.x'],
    ["project: 'b_2'\n", 'b_2'],
    ['project: ${PROJECT}\n', undefined],
    ['  project: nested\n', undefined],
    ['project: demo\nbackend: { type: opensandbox, url: http://x }\n', undefined],
    ['sandboxes: {}\n', undefined],
  ];
  for (const [text, expected] of cases) {
    assert.equal(await withFiles({ 'openwork.yaml': text }, (dir) => projectHint(path.join(dir, 'openwork.yaml'))), expected, text);
  }
  assert.equal(await projectHint('/nonexistent/openwork.yaml'), undefined);
});
