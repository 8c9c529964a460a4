/**
 * Builds a tiny OCI image-layout tar with node built-ins only, so tests can `msb load -i FILE -t REF` an image
 * without a registry. The archive is uncompressed and deterministic (fixed mtimes, sorted entries): the same
 * options give the same bytes and therefore the same digests.
 *
 * Layout of the archive (what `msb load` reads):
 *   oci-layout                      {"imageLayoutVersion":"1.0.0"}
 *   index.json                      one manifest, annotated with `org.opencontainers.image.ref.name`
 *   blobs/sha256/<layer>            an uncompressed tar of the rootfs files
 *   blobs/sha256/<config>           image config: Env, Entrypoint, Cmd, ExposedPorts, WorkingDir, Labels
 *   blobs/sha256/<manifest>         OCI image manifest
 *
 * Usage:
 *   const image = await writeOciImage(dir, { ref: 'owctl-test:1' });
 *   await execa(msb, ['load', '-i', image.archive, '-t', image.ref]);
 */
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface TarEntry {
  /** Path inside the archive, without a leading slash; directories end with `/`. */
  path: string;
  /** File content (ignored for directories). */
  content?: string | Buffer;
  /** Octal permission bits; default 0o644 for files, 0o755 for directories. */
  mode?: number;
}

export interface OciImageOptions {
  /** Reference stored in index.json's `org.opencontainers.image.ref.name` (default `owctl-test:latest`). */
  ref?: string;
  /** Rootfs files; default: a few files including the OpenWork entrypoint script. */
  files?: TarEntry[];
  env?: Record<string, string>;
  entrypoint?: string[];
  cmd?: string[];
  exposedPorts?: string[];
  workingDir?: string;
  labels?: Record<string, string>;
}

export interface OciImage {
  /** Absolute path of the written tar. */
  archive: string;
  ref: string;
  /** `sha256:…` of the manifest (what msb reports as the image digest). */
  manifestDigest: string;
  configDigest: string;
  /** The image config's env as a map (what msb merges into a sandbox's env). */
  env: Record<string, string>;
  entrypoint: string[];
  cmd: string[];
}

export const DEFAULT_IMAGE_REF = 'owctl-test:latest';
export const OPENWORK_ENTRYPOINT = '/usr/local/bin/microsandbox-entrypoint.sh';

const DEFAULT_FILES: TarEntry[] = [
  { path: 'etc/', mode: 0o755 },
  { path: 'etc/os-release', content: 'ID=owctl-test\nNAME="owctl test image"\n' },
  { path: 'tmp/', mode: 0o1777 },
  { path: 'usr/', mode: 0o755 },
  { path: 'usr/local/', mode: 0o755 },
  { path: 'usr/local/bin/', mode: 0o755 },
  {
    path: 'usr/local/bin/microsandbox-entrypoint.sh',
    content: '#!/bin/sh\nexec "$@"\n',
    mode: 0o755,
  },
  { path: 'workspace/', mode: 0o755 },
];

/** Writes `<dir>/image.tar` (an OCI image layout) and returns its facts. */
export async function writeOciImage(dir: string, options: OciImageOptions = {}): Promise<OciImage> {
  const ref = options.ref ?? DEFAULT_IMAGE_REF;
  const env = options.env ?? { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', OWCTL_IMAGE: '1' };
  const entrypoint = options.entrypoint ?? [OPENWORK_ENTRYPOINT];
  const cmd = options.cmd ?? ['openwork-server', '--port', '8787'];
  const layer = tar(options.files ?? DEFAULT_FILES);
  const layerDigest = sha256(layer);
  const config = json({
    architecture: 'amd64',
    os: 'linux',
    created: '2024-01-01T00:00:00Z',
    config: {
      Env: Object.entries(env).map(([key, value]) => `${key}=${value}`),
      Entrypoint: entrypoint,
      Cmd: cmd,
      ExposedPorts: Object.fromEntries((options.exposedPorts ?? ['8787/tcp']).map((port) => [port, {}])),
      WorkingDir: options.workingDir ?? '/workspace',
      Labels: options.labels ?? {},
    },
    rootfs: { type: 'layers', diff_ids: [layerDigest] },
    history: [{ created: '2024-01-01T00:00:00Z', created_by: 'owctl test/helpers/oci-image.ts' }],
  });
  const configDigest = sha256(config);
  const manifest = json({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: layerDigest, size: layer.length }],
  });
  const manifestDigest = sha256(manifest);
  const index = json({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [
      {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        digest: manifestDigest,
        size: manifest.length,
        annotations: { 'org.opencontainers.image.ref.name': ref },
        platform: { architecture: 'amd64', os: 'linux' },
      },
    ],
  });
  const blob = (digest: string) => `blobs/sha256/${digest.slice('sha256:'.length)}`;
  const archive = tar([
    { path: 'blobs/', mode: 0o755 },
    { path: 'blobs/sha256/', mode: 0o755 },
    { path: blob(configDigest), content: config },
    { path: blob(layerDigest), content: layer },
    { path: blob(manifestDigest), content: manifest },
    { path: 'index.json', content: index },
    { path: 'oci-layout', content: json({ imageLayoutVersion: '1.0.0' }) },
  ]);
  const path = join(dir, 'image.tar');
  await writeFile(path, archive);
  return { archive: path, ref, manifestDigest, configDigest, env, entrypoint, cmd };
}

/** An uncompressed ustar archive of the given entries, in the given order, with mtime 0 and uid/gid 0. */
export function tar(entries: TarEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const isDir = entry.path.endsWith('/');
    const body = isDir ? Buffer.alloc(0) : Buffer.from(entry.content ?? '');
    blocks.push(tarHeader(entry.path, body.length, entry.mode ?? (isDir ? 0o755 : 0o644), isDir));
    blocks.push(body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

function tarHeader(path: string, size: number, mode: number, isDir: boolean): Buffer {
  const header = Buffer.alloc(512);
  const { name, prefix } = splitPath(path);
  header.write(name, 0, 100, 'utf8');
  header.write(octal(mode, 7), 100, 8, 'ascii');
  header.write(octal(0, 7), 108, 8, 'ascii');
  header.write(octal(0, 7), 116, 8, 'ascii');
  header.write(octal(size, 11), 124, 12, 'ascii');
  header.write(octal(0, 11), 136, 12, 'ascii');
  header.write(' '.repeat(8), 148, 8, 'ascii');
  header.write(isDir ? '5' : '0', 156, 1, 'ascii');
  header.write('ustar\u000000', 257, 8, 'ascii');
  header.write('root', 265, 32, 'ascii');
  header.write('root', 297, 32, 'ascii');
  header.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${octal(sum, 6)}\u0000 `, 148, 8, 'ascii');
  return header;
}

/** ustar keeps names of up to 100 bytes, plus a 155-byte prefix split at a slash. */
function splitPath(path: string): { name: string; prefix: string } {
  if (Buffer.byteLength(path) <= 100) return { name: path, prefix: '' };
  const cut = path.lastIndexOf('/', path.length - 2);
  const prefix = path.slice(0, cut);
  const name = path.slice(cut + 1);
  if (cut < 0 || Buffer.byteLength(prefix) > 155 || Buffer.byteLength(name) > 100) {
    throw new Error(`tar: path too long for ustar: ${path}`);
  }
  return { name, prefix };
}

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width, '0');
}

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

function sha256(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}
