// `msb load`: the images in a docker-save tar or an OCI image-layout tar, as msb 0.6.18 records them. The digest is
// the manifest's sha256; for a docker-save archive (no manifest inside) msb synthesises an OCI manifest and hashes
// its compact, key-sorted JSON — reproduced here byte for byte.
import { createHash } from 'node:crypto';
import { fail } from './errors.mjs';
import { parseRef } from './refs.mjs';
import { readTar } from './tar.mjs';

const REF_ANNOTATION = 'org.opencontainers.image.ref.name';
const INDEX_TYPES = new Set(['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json']);

/** [{ refs: [ref…], image: record-without-reference }] for the archive bytes; `tag` names the first image. */
export function readImageArchive(bytes, tag) {
  const files = readTar(bytes);
  if (tag !== undefined && parseRef(tag) === null) throw parseError(`invalid image reference ${tag}: invalid reference format`);
  let images;
  if (files.has('index.json') && files.has('oci-layout')) images = ociImages(files);
  else if (files.has('manifest.json')) images = dockerImages(files);
  else throw parseError('archive missing manifest.json or oci-layout');
  if (images.length === 0) throw parseError('archive contains no images');
  if (tag !== undefined) images[0].refs.unshift(tag);
  for (const image of images) {
    if (image.refs.length === 0) throw parseError(image.missingRefMessage);
    for (const ref of image.refs) if (parseRef(ref) === null) throw parseError(`invalid image reference ${ref}: invalid reference format`);
  }
  return images;
}

function ociImages(files) {
  const index = json(files, 'index.json');
  const images = [];
  for (const descriptor of index.manifests ?? []) {
    const manifestDescriptor = INDEX_TYPES.has(descriptor.mediaType) ? pickPlatform(json(files, blobPath(descriptor.digest))) : descriptor;
    const manifestBytes = blob(files, manifestDescriptor.digest);
    const manifest = JSON.parse(manifestBytes.toString('utf8'));
    const configBytes = blob(files, manifest.config.digest);
    const layers = (manifest.layers ?? []).map((layer) => ({ digest: layer.digest, size: blob(files, layer.digest).length, mediaType: layer.mediaType }));
    const ref = descriptor.annotations?.[REF_ANNOTATION];
    images.push({
      refs: ref ? [ref] : [],
      missingRefMessage: 'OCI layout image has no ref.name annotation; pass --tag to name it',
      image: record(sha256(manifestBytes), manifest.config.digest, configBytes, layers),
    });
  }
  return images;
}

function dockerImages(files) {
  return json(files, 'manifest.json').map((entry) => {
    const configBytes = file(files, entry.Config);
    const layers = entry.Layers.map((path) => {
      const bytes = file(files, path);
      const gzip = bytes[0] === 0x1f && bytes[1] === 0x8b;
      return { digest: sha256(bytes), size: bytes.length, mediaType: `application/vnd.oci.image.layer.v1.tar${gzip ? '+gzip' : ''}` };
    });
    const configDigest = sha256(configBytes);
    const manifest = {
      config: { digest: configDigest, mediaType: 'application/vnd.oci.image.config.v1+json', size: configBytes.length },
      layers: layers.map((layer) => ({ digest: layer.digest, mediaType: layer.mediaType, size: layer.size })),
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      schemaVersion: 2,
    };
    return {
      refs: [...(entry.RepoTags ?? [])],
      missingRefMessage: 'docker archive image has no RepoTags; pass --tag to name it',
      image: record(sha256(Buffer.from(JSON.stringify(manifest))), configDigest, configBytes, layers),
    };
  });
}

function record(digest, configDigest, configBytes, layers) {
  const config = JSON.parse(configBytes.toString('utf8'));
  const c = config.config ?? {};
  const diffIds = config.rootfs?.diff_ids ?? [];
  return {
    architecture: config.architecture ?? 'amd64',
    config: {
      cmd: c.Cmd ?? null,
      digest: configDigest,
      entrypoint: c.Entrypoint ?? null,
      env: c.Env ?? null,
      labels: c.Labels && Object.keys(c.Labels).length > 0 ? c.Labels : null,
      stop_signal: c.StopSignal || null,
      user: c.User || null,
      working_dir: c.WorkingDir || null,
    },
    digest,
    layer_count: layers.length,
    layers: layers.map((layer, position) => ({
      blob_digest: layer.digest,
      compressed_size_bytes: layer.size,
      diff_id: diffIds[position] ?? layer.digest,
      erofs_size_bytes: null,
      media_type: layer.mediaType ?? 'application/vnd.oci.image.layer.v1.tar',
      position,
    })),
    os: config.os ?? 'linux',
    size_bytes: layers.reduce((sum, layer) => sum + layer.size, 0),
  };
}

function pickPlatform(index) {
  const manifests = index.manifests ?? [];
  return manifests.find((m) => m.platform?.os === 'linux' && m.platform?.architecture === 'amd64') ?? manifests[0];
}

function blobPath(digest) {
  return `blobs/${String(digest).replace(':', '/')}`;
}

function blob(files, digest) {
  return file(files, blobPath(digest));
}

function file(files, path) {
  const bytes = files.get(path);
  if (bytes === undefined) throw parseError(`archive is missing ${path}`);
  return bytes;
}

function json(files, path) {
  try {
    return JSON.parse(file(files, path).toString('utf8'));
  } catch (error) {
    if (error.hints) throw error;
    throw parseError(`${path}: ${error.message}`);
  }
}

function parseError(detail) {
  return fail(`manifest parse error: ${detail}`);
}

function sha256(bytes) {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}
