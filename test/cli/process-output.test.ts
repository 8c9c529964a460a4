/**
 * validate's own script writes pipes, sockets and files with fs.writeSync (src/commands/process-output.ts). The
 * writer against a stand-in for write(2) here; against real pipes, sockets, files and terminals in
 * test/integration/bin-validate.test.ts.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { directWriter, writesDirectly } from '../../src/commands/process-output.ts';

/** A stand-in for write(2): each call takes at most the next count of bytes, or fails with the next error code. */
function fakeWrite(takes: Array<number | string>) {
  const written: Buffer[] = [];
  const write = (_fd: number, buffer: Uint8Array) => {
    const next = takes.shift() ?? Infinity;
    if (typeof next === 'string') throw Object.assign(new Error(next), { code: next });
    const n = Math.min(next, buffer.length);
    written.push(Buffer.from(buffer.subarray(0, n)));
    return n;
  };
  return { write, bytes: () => Buffer.concat(written) };
}

/** A writer for `fd` over a fakeWrite taking `takes`, with a fakeStream to hand over to. */
function writerOver(fd: number, takes: Array<number | string>) {
  const fake = fakeWrite(takes);
  const stream = fakeStream();
  return { fake, stream, out: directWriter(fd, fake.write, stream.open) };
}

function fakeStream() {
  const chunks: Buffer[] = [];
  let made = 0;
  const open = () => {
    made++;
    return { write: (chunk: Uint8Array) => chunks.push(Buffer.from(chunk)) };
  };
  return { open, bytes: () => Buffer.concat(chunks), made: () => made };
}

describe('writing fd 1 and 2 without a stream', () => {
  it('a pipe and a file are written directly; a character device (/dev/null, a terminal) and a closed fd are not', () => {
    const dir = mkdtempSync(join(tmpdir(), 'owctl-output-'));
    const opened: number[] = [];
    const open = (path: string, flags: string) => (opened.push(openSync(path, flags)), opened.at(-1)!);
    try {
      assert.equal(writesDirectly(open(join(dir, 'out'), 'w')), true);
      assert.equal(writesDirectly(open('/dev/null', 'w')), false);
      assert.equal(spawnSync('mkfifo', [join(dir, 'fifo')]).status, 0);
      assert.equal(writesDirectly(open(join(dir, 'fifo'), 'r+')), true); // r+: a FIFO opens without waiting for a reader
      const closed = open(join(dir, 'closed'), 'w');
      closeSync(opened.pop()!);
      assert.equal(writesDirectly(closed), false);
    } finally {
      for (const fd of opened) closeSync(fd);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('short writes: each text is written whole and in order, and the stream is never made', () => {
    const { fake, stream, out } = writerOver(1, [3, 1, 2]);
    out('héllo ');
    out('world\n');
    assert.equal(fake.bytes().toString('utf8'), 'héllo world\n');
    assert.equal(stream.made(), 0);
  });

  it('EAGAIN (an fd found non-blocking, its pipe full) hands the rest and every later text to the stream, bytes intact', () => {
    // The 2 bytes taken end inside "é" (two bytes in UTF-8): the stream must get the bytes that are left, not a
    // string decoded from them.
    const { fake, stream, out } = writerOver(1, [2, 'EAGAIN']);
    out('héllo ');
    out('world\n');
    assert.equal(stream.made(), 1);
    assert.equal(Buffer.concat([fake.bytes(), stream.bytes()]).toString('utf8'), 'héllo world\n');
    assert.equal(fake.bytes().length, 2, 'nothing is written directly after the hand-over');
  });

  it('EPIPE (the reader went away) ends the writes without a word, as the stream\'s ignored error does', () => {
    const { fake, stream, out } = writerOver(2, [4, 'EPIPE']);
    out('first\n');
    out('second\n');
    assert.equal(fake.bytes().toString('utf8'), 'firs');
    assert.equal(stream.made(), 0);
  });
});
