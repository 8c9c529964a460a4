/**
 * Where a CLI run's text goes: fd 1 and fd 2, and which of them is a terminal (its colours, its width).
 *
 * The whole CLI writes through process.stdout and process.stderr, as the libraries it uses do (commander, listr2):
 * one writer per fd keeps everything in order. `owctl validate`'s own script (src/cli/validate-main.ts) has no such
 * library, and there a pipe, a socket or a file is written with fs.writeSync instead: creating process.stderr for
 * a pipe loads node:net and its handle classes, ~9 % of a validate (BENCHMARKS.md, start-up). A character device (a
 * terminal, /dev/null) keeps the stream, which knows whether it is a terminal.
 */
import { fstatSync, writeSync } from 'node:fs';

export interface ProcessOutput {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** fd 1's or fd 2's stream when it is a terminal; undefined for a pipe, a socket, a file or /dev/null. */
  terminal: (fd: 1 | 2) => NodeJS.WriteStream | undefined;
}

const guarded = new WeakSet<NodeJS.WriteStream>();

/**
 * fd 1's or fd 2's stream (created on first use). A closed terminal (SIGHUP) or a reader that went away
 * (`owctl apply | head`) makes writes fail: that must not crash owctl before it has released its lock and reported
 * what it can, so the stream's errors are ignored.
 */
function streamOf(fd: 1 | 2): NodeJS.WriteStream {
  const stream = fd === 1 ? process.stdout : process.stderr;
  if (!guarded.has(stream)) {
    stream.on('error', () => undefined);
    guarded.add(stream);
  }
  return stream;
}

const STREAMS: ProcessOutput = {
  stdout: (text) => void streamOf(1).write(text),
  stderr: (text) => void streamOf(2).write(text),
  terminal: (fd) => (streamOf(fd).isTTY ? streamOf(fd) : undefined),
};

/** fd 1 and 2 through process.stdout and process.stderr, both made at once: the whole CLI's libraries write to them too. */
export function streamOutput(): ProcessOutput {
  streamOf(1);
  streamOf(2);
  return STREAMS;
}

/** For validate's own script: each fd written directly when it is a pipe, a socket or a file, else by its stream. */
export function directOutput(): ProcessOutput {
  const writers = ([1, 2] as const).map((fd) => (writesDirectly(fd) ? directWriter(fd, writeSync, () => streamOf(fd)) : undefined));
  return {
    stdout: writers[0] ?? STREAMS.stdout,
    stderr: writers[1] ?? STREAMS.stderr,
    terminal: (fd) => (writers[fd - 1] === undefined ? STREAMS.terminal(fd) : undefined),
  };
}

/** A pipe, a socket or a regular file: never a terminal, and written whole by write(2). */
export function writesDirectly(fd: number): boolean {
  try {
    const stat = fstatSync(fd);
    return stat.isFIFO() || stat.isSocket() || stat.isFile();
  } catch {
    return false; // a closed fd: the stream reports it as Node does
  }
}

type Write = (fd: number, buffer: Uint8Array) => number;
type Stream = { write: (chunk: Uint8Array) => unknown };

/**
 * Writes each text whole with `write`, synchronously as Node's own streams write pipes and files on Linux.
 * EAGAIN (an fd owctl found non-blocking, its pipe full) hands the rest of that text and every later one to the
 * stream, which waits for the reader and keeps them in order. Any other error (EPIPE: the reader went away) ends
 * the writes without a word, as the stream's ignored 'error' does.
 */
export function directWriter(fd: number, write: Write, stream: () => Stream): (text: string) => void {
  let handedOver: Stream | undefined;
  let failed = false;
  return (text) => {
    if (handedOver !== undefined) return void handedOver.write(Buffer.from(text));
    if (failed) return;
    let rest = Buffer.from(text);
    while (rest.length > 0) {
      try {
        rest = rest.subarray(write(fd, rest));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EAGAIN') {
          handedOver = stream();
          handedOver.write(rest); // bytes: a write may have ended inside a character
        } else {
          failed = true;
        }
        return;
      }
    }
  };
}
