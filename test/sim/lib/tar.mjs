// Reading an uncompressed tar archive (ustar, GNU long names, PAX paths) into { path → Buffer } with node built-ins.
import { fail } from './errors.mjs';

export function readTar(buffer) {
  const files = new Map();
  if (buffer.length < 512) throw fail('failed to read entire block');
  let offset = 0;
  let longName = null;
  while (offset + 512 <= buffer.length) {
    const header = buffer.subarray(offset, offset + 512);
    if (header.every((byte) => byte === 0)) break;
    if (!checksumOk(header)) throw fail('archive header checksum mismatch');
    const size = readSize(header.subarray(124, 136));
    const type = String.fromCharCode(header[156] || 48);
    const body = buffer.subarray(offset + 512, offset + 512 + size);
    if (body.length < size) throw fail('failed to read entire block');
    offset += 512 + Math.ceil(size / 512) * 512;
    if (type === 'L') {
      longName = cString(body);
      continue;
    }
    if (type === 'x') {
      longName = paxPath(body) ?? longName;
      continue;
    }
    if (type === 'g') continue;
    let path = longName ?? headerPath(header);
    longName = null;
    path = path.replace(/^\.\//, '');
    if (type === '0' || type === '7') files.set(path, Buffer.from(body));
  }
  return files;
}

function headerPath(header) {
  const name = cString(header.subarray(0, 100));
  const magic = header.subarray(257, 262).toString('latin1');
  const prefix = magic === 'ustar' ? cString(header.subarray(345, 500)) : '';
  return prefix ? `${prefix}/${name}` : name;
}

function cString(bytes) {
  const end = bytes.indexOf(0);
  return bytes.subarray(0, end < 0 ? bytes.length : end).toString('utf8');
}

function readSize(field) {
  if (field[0] & 0x80) {
    let value = 0;
    for (let i = 1; i < field.length; i += 1) value = value * 256 + field[i];
    return value;
  }
  const text = cString(field).trim();
  return text === '' ? 0 : parseInt(text, 8);
}

function checksumOk(header) {
  const stored = parseInt(cString(header.subarray(148, 156)).trim(), 8);
  let sum = 0;
  for (let i = 0; i < 512; i += 1) sum += i >= 148 && i < 156 ? 32 : header[i];
  return stored === sum;
}

function paxPath(body) {
  for (const record of body.toString('utf8').split('\n')) {
    const match = /^\d+ path=(.*)$/.exec(record);
    if (match) return match[1];
  }
  return null;
}
