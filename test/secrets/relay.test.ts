import assert from 'node:assert/strict';
import { test } from 'node:test';
import { REDACTED, StreamSanitizer, sanitize, stripControls } from '../../src/secrets/relay.ts';

const TOKEN = 'client-0123456789abcdef';
const HOST = 'host-0123456789abcdef-x';

test('sanitize redacts secrets, also when controls are spliced into them or they hold a NUL byte', () => {
  assert.equal(sanitize(`- client token: ${TOKEN}\n`, [TOKEN]), `- client token: ${REDACTED}\n`);
  assert.equal(sanitize(`x client-0123\u0007456789abcdef y`, [TOKEN]), `x ${REDACTED} y`);
  const withNul = 'abc\u0000def-0123456789';
  assert.equal(sanitize(`error: bad value ${withNul}`, [withNul]), `error: bad value ${REDACTED}`);
  assert.equal(sanitize(`Bearer ${encodeURIComponent('a+b/c=0123456789abcdef')}`, ['a+b/c=0123456789abcdef']), `Bearer ${REDACTED}`);
});

test('stripControls keeps colour, tab, newline and CRLF, and removes every other control', () => {
  assert.equal(stripControls('\u001b[31mred\u001b[0m\tok\r\n'), '\u001b[31mred\u001b[0m\tok\r\n');
  assert.equal(stripControls('a\u001b[2Jb\u001b[1;1Hc'), 'abc');
  assert.equal(stripControls('a\u001b]0;title\u0007b\u001b]8;;http://x\u001b\\c'), 'abc');
  assert.equal(stripControls('over\rwrite\u0000\u0008\u007f\u009b2J'), 'overwrite2J');
  assert.equal(stripControls('end\u001b['), 'end[');
});

test('StreamSanitizer catches a secret split across any chunk boundary', () => {
  const text = `- client token: ${TOKEN}\n- host token: ${HOST}\ncurl -H "Authorization: Bearer ${TOKEN}"\n`;
  for (let a = 1; a < text.length; a++) {
    for (const b of [a + 1, a + 7, text.length]) {
      if (b > text.length) continue;
      const stream = new StreamSanitizer([TOKEN, HOST]);
      const out = stream.push(text.slice(0, a)) + stream.push(text.slice(a, b)) + stream.push(text.slice(b)) + stream.end();
      assert.equal(out, sanitize(text, [TOKEN, HOST]), `split at ${a},${b}`);
      assert.ok(!out.includes(TOKEN) && !out.includes(HOST));
    }
  }
});

test('StreamSanitizer holds back only a tail that could start a secret, and strips split escapes', () => {
  const stream = new StreamSanitizer([TOKEN]);
  assert.equal(stream.push('ready on :8787\n'), 'ready on :8787\n');
  assert.equal(stream.push('token clie'), 'token ');
  assert.equal(stream.push('nt-0123456789abcdef done\u001b['), `${REDACTED} done`);
  assert.equal(stream.push('2Jnext\n'), 'next\n');
  assert.equal(stream.push('partial cli'), 'partial ');
  assert.equal(stream.end(), 'cli');
});
