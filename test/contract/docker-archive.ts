/**
 * A tiny legacy `docker save` archive (manifest.json + config + one layer tar, no OCI index), to check that the
 * simulator computes the digest msb reports for such archives (a synthesised OCI manifest).
 */
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tar } from '../helpers/oci-image.ts';

export async function writeDockerArchive(dir: string, ref: string): Promise<string> {
  const layer = tar([{ path: 'etc/', mode: 0o755 }, { path: 'etc/os-release', content: 'ID=docker-save-test\n' }]);
  const layerHex = hex(layer);
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: {
        Env: ['PATH=/bin', 'FROM_DOCKER=1'],
        Entrypoint: ['/usr/local/bin/microsandbox-entrypoint.sh'],
        Cmd: ['serve'],
        WorkingDir: '/srv',
        Labels: { 'org.example.kind': 'docker-save', team: 'image' },
      },
      rootfs: { type: 'layers', diff_ids: [`sha256:${layerHex}`] },
    }),
  );
  const configHex = hex(config);
  const manifest = Buffer.from(JSON.stringify([{ Config: `${configHex}.json`, RepoTags: [ref], Layers: [`${layerHex}/layer.tar`] }]));
  const archive = tar([
    { path: `${configHex}.json`, content: config },
    { path: `${layerHex}/`, mode: 0o755 },
    { path: `${layerHex}/layer.tar`, content: layer },
    { path: 'manifest.json', content: manifest },
  ]);
  const path = join(dir, 'docker-save.tar');
  await writeFile(path, archive);
  return path;
}

function hex(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
