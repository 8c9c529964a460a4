/** The approvals views: JSON sorted and schema-valid, the human table rendered from it, server text made safe. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SandboxApprovals } from '../../src/model/approvals.ts';
import { age, approvalsDocument, renderApprovals, renderReply } from '../../src/views/approvals.ts';
import { assertValid, compileSchema } from '../helpers/json-schema.ts';

const NOW = Date.parse('2026-12-06T12:00:00Z');
const TOKEN = 'host-token-aaaaaaaaaaaaaaaa';

const results: SandboxApprovals[] = [
  { sandbox: 'bob', state: 'unreachable', url: 'http://127.0.0.1:9', message: 'GET /approvals: connection refused', hint: 'the server does not answer', approvals: [] },
  {
    sandbox: 'alice',
    state: 'answered',
    url: 'http://127.0.0.1:8787',
    approvals: [
      { id: 'b-2', action: 'plugins.add', summary: 'Add plugin x', paths: ['/workspace/opencode.json'], workspaceId: 'ws_1', createdAtMs: NOW - 7_200_000 - 60_000, actorScope: 'owner' },
      { id: 'a-1', action: 'workspace.file.write', summary: `Write \u001b]0;owned\u0007evil\u001b[2J.md ${TOKEN}`, paths: [], workspaceId: null, createdAtMs: null, actorScope: null },
    ],
  },
  { sandbox: 'carol', state: 'answered', url: 'http://127.0.0.1:8788', approvals: [] },
];

describe('approvals views', () => {
  it('the document sorts sandboxes by name, counts what is pending and follows its schema', () => {
    const doc = approvalsDocument('demo', results);
    assert.deepEqual(doc.sandboxes.map((s) => s.sandbox), ['alice', 'bob', 'carol']);
    assert.equal(doc.pending, 2);
    assert.equal(doc.sandboxes[0]!.approvals[0]!.created_at, '2026-12-06T09:59:00.000Z');
    assertValid(compileSchema('approvals.schema.json'), doc, 'approvals document');
    assert.deepEqual(approvalsDocument('demo', [...results].reverse()), doc, 'the same input in any order gives the same document');
  });

  it('the table names sandbox, id, action, what and since; failures carry their hint; server text cannot steer the terminal or show a token', () => {
    const text = renderApprovals(approvalsDocument('demo', results), { color: false, nowMs: NOW, secrets: [TOKEN] });
    assert.match(text, /^SANDBOX +ID +ACTION +WHAT +SINCE\n/);
    assert.match(text, /alice +b-2 +plugins\.add +Add plugin x +2026-12-06T09:59:00Z \(2h01m ago\)/);
    assert.match(text, /alice +a-1 +workspace\.file\.write +Write evil\.md \[redacted\] +-/);
    assert.match(text, /No pending approvals: carol\n/);
    assert.match(text, /bob: GET \/approvals: connection refused\n {2}hint: the server does not answer\n/);
    assert.ok(!text.includes('\u001b') && !text.includes('\u0007') && !text.includes(TOKEN));
  });

  it('age reads seconds, minutes, then hours and minutes', () => {
    assert.deepEqual([age(null, NOW), age(new Date(NOW - 5_000).toISOString(), NOW), age(new Date(NOW - 125_000).toISOString(), NOW)], ['-', '5s ago', '2m ago']);
  });

  it('a reply says what the server confirmed', () => {
    const doc = { format_version: '1.0', sandbox: 'alice', id: 'a-1', reply: 'deny' as const, allowed: false, action: 'workspace.file.write', summary: 'Write a.md' };
    assert.equal(renderReply(doc, []), 'alice: denied a-1 (Write a.md); the server confirmed it\n');
    assertValid(compileSchema('approvals.schema.json'), doc, 'reply document');
  });
});
