import assert from 'node:assert/strict';
import { test } from 'node:test';
import { displayUrl, redact } from '../../src/verify/redact.ts';

test('redact removes every secret, its URL-encoded form, longest first', () => {
  assert.equal(redact('a=s3cr3t b=s3cr3t', ['s3cr3t']), 'a=[redacted] b=[redacted]');
  assert.equal(redact('tok a+b/c= and a%2Bb%2Fc%3D', ['a+b/c=']), 'tok [redacted] and [redacted]');
  assert.equal(redact('abcdef', ['abc', 'abcdef']), '[redacted]');
  assert.equal(redact('nothing here', ['', 'zzz']), 'nothing here');
});

test('displayUrl drops user-info and redacts secrets', () => {
  assert.equal(displayUrl('http://user:pw@127.0.0.1:8787/health', []), 'http://127.0.0.1:8787/health');
  assert.equal(displayUrl('http://127.0.0.1:8787/x?t=tok123', ['tok123']), 'http://127.0.0.1:8787/x?t=[redacted]');
  assert.equal(displayUrl('not a url tok123', ['tok123']), 'not a url [redacted]');
});

test('redact strips terminal control a server answer could carry', () => {
  assert.equal(redact('bad\u001b]0;pwned\u0007 answer\u001b[2J from tok123\u0000', ['tok123']), 'bad answer from [redacted]');
});
