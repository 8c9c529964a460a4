/**
 * Reads a text file the way a hostile file demands: regular files only, a size bound checked before and during the
 * read, no blocking on FIFOs, and binary or non-UTF-8 content reported with its position instead of decoded.
 */
import { Buffer, isUtf8 } from 'node:buffer';
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { MAX_FILE_BYTES } from './defaults.ts';

export interface SourceProblem {
  message: string;
  hint?: string;
  line: number;
  col: number;
}

export type SourceResult = { kind: 'missing' } | { kind: 'text'; text: string } | { kind: 'problem'; problem: SourceProblem };

const KIB = 1024;

/**
 * The reads are synchronous (a file of at most a few hundred KiB, read once before any other work): fs/promises is
 * not among Node's start-up modules, and loading it cost ~7 % of a `validate` (BENCHMARKS.md, start-up).
 */
export async function readSource(file: string, maxBytes = MAX_FILE_BYTES): Promise<SourceResult> {
  // One turn of the event loop, as the asynchronous read gave: a signal that came while owctl loaded is delivered
  // here, so a command that reads and checks without any other I/O (validate) is still interrupted by it.
  await new Promise((resolve) => setImmediate(resolve));
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'missing' };
    return problem(`cannot be read (${code ?? 'unknown error'})`, 'check the file and its permissions');
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) return problem('is a folder, not a file', 'pass the YAML file itself with -f FILE');
    if (!stat.isFile()) return problem('is not a regular file');
    const bytes = readBounded(fd, maxBytes);
    if (bytes === undefined) return tooLarge(maxBytes);
    return decode(bytes);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return problem(`cannot be read (${code ?? 'unknown error'})`, 'check the file and its permissions');
  } finally {
    closeSync(fd);
  }
}

/** Reads at most `maxBytes`; undefined when the file holds more (it may grow after stat). */
function readBounded(fd: number, maxBytes: number): Buffer | undefined {
  const buffer = Buffer.alloc(maxBytes + 1);
  let length = 0;
  while (length < buffer.length) {
    const bytesRead = readSync(fd, buffer, length, buffer.length - length, null);
    if (bytesRead === 0) break;
    length += bytesRead;
  }
  return length > maxBytes ? undefined : buffer.subarray(0, length);
}

function tooLarge(maxBytes: number): SourceResult {
  const limit = maxBytes % (KIB * KIB) === 0 ? `${maxBytes / KIB / KIB} MiB` : maxBytes % KIB === 0 ? `${maxBytes / KIB} KiB` : `${maxBytes} bytes`;
  return problem(`file too large (the limit is ${limit}; an openwork.yaml is a few kilobytes)`);
}

function decode(bytes: Buffer): SourceResult {
  if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) {
    return problem('is UTF-16 text', 'save the file as UTF-8');
  }
  const nul = bytes.indexOf(0);
  if (nul !== -1) return problem('contains NUL bytes: this is a binary file, not YAML', 'point -f at the YAML file (owctl init writes a starter openwork.yaml)', bytes, nul);
  if (!isUtf8(bytes)) {
    const bad = firstInvalidUtf8(bytes);
    const shown = `0x${(bytes[bad] ?? 0).toString(16).toUpperCase().padStart(2, '0')}`;
    return problem(`is not valid UTF-8 text (byte ${shown})`, 'save the file as UTF-8', bytes, bad);
  }
  const text = bytes.toString('utf8');
  return { kind: 'text', text: text.startsWith('\uFEFF') ? text.slice(1) : text };
}

function problem(message: string, hint?: string, bytes?: Buffer, offset?: number): SourceResult {
  const { line, col } = bytes === undefined || offset === undefined ? { line: 1, col: 1 } : bytePosition(bytes, offset);
  return { kind: 'problem', problem: hint === undefined ? { message, line, col } : { message, hint, line, col } };
}

/** 1-based line and column (in characters of the valid prefix) of a byte offset. */
function bytePosition(bytes: Buffer, offset: number): { line: number; col: number } {
  const lineStart = bytes.lastIndexOf(0x0a, offset - 1) + 1;
  let line = 1;
  for (let index = bytes.indexOf(0x0a); index !== -1 && index < offset; index = bytes.indexOf(0x0a, index + 1)) line++;
  return { line, col: bytes.subarray(lineStart, offset).toString('utf8').length + 1 };
}

/** Offset of the first byte that does not start or continue a well-formed UTF-8 sequence. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let index = 0;
  while (index < bytes.length) {
    const lead = bytes[index]!;
    const length = lead < 0x80 ? 1 : lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
    if (length === 0 || index + length > bytes.length) return index;
    if (!isUtf8(bytes.subarray(index, index + length))) return index;
    index += length;
  }
  return bytes.length;
}
