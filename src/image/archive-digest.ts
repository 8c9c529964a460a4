/**
 * The manifest digest of the image inside a local OCI image-layout tar (read from its index.json), so apply can
 * tell whether msb's cached ref is that image. Returns null when it cannot tell (docker-save tars, unreadable
 * files); the caller then loads only when the ref is missing.
 */
import { open } from 'node:fs/promises';

const BLOCK = 512;

function field(header: Buffer, start: number, length: number): string {
  const raw = header.subarray(start, start + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end === -1 ? length : end).toString('utf8');
}

/** Walks tar headers (ustar) until `wanted` is found; reads at most `limit` bytes of it. */
async function readTarEntry(path: string, wanted: string, limit = 1 << 20): Promise<Buffer | null> {
  const handle = await open(path, 'r');
  try {
    const header = Buffer.alloc(BLOCK);
    let offset = 0;
    for (;;) {
      const { bytesRead } = await handle.read(header, 0, BLOCK, offset);
      if (bytesRead < BLOCK || header.every((b) => b === 0)) return null;
      const name = `${field(header, 345, 155)}${field(header, 345, 155) ? '/' : ''}${field(header, 0, 100)}`.replace(/^\.\//, '');
      const size = Number.parseInt(field(header, 124, 12).trim() || '0', 8);
      if (name === wanted) {
        if (size > limit) return null;
        const body = Buffer.alloc(size);
        await handle.read(body, 0, size, offset + BLOCK);
        return body;
      }
      offset += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
    }
  } finally {
    await handle.close();
  }
}

export async function archiveDigest(path: string): Promise<string | null> {
  try {
    const index = await readTarEntry(path, 'index.json');
    if (index === null) return null;
    const parsed = JSON.parse(index.toString('utf8')) as { manifests?: Array<{ digest?: string }> };
    return parsed.manifests?.[0]?.digest ?? null;
  } catch {
    return null;
  }
}
