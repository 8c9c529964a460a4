// The image cache: records keyed by the reference they were loaded (or created) under.
import { normaliseRef } from './refs.mjs';

/** The cached image for `ref`: its exact reference, else one that names the same image (`docker.io/library/…`). */
export function findCached(state, ref) {
  if (state.images[ref]) return state.images[ref];
  const wanted = normaliseRef(ref);
  return Object.values(state.images).find((image) => normaliseRef(image.reference) === wanted) ?? null;
}

/** `msb image ls --format json` row. */
export function listRow(image) {
  const { architecture, created_at, digest, layer_count, os, reference, size_bytes } = image;
  return { architecture, created_at, digest, layer_count, os, reference, size_bytes };
}

/** The image record whose manifest digest a sandbox was created from. */
export function imageByDigest(state, digest) {
  return Object.values(state.images).find((image) => image.digest === digest) ?? null;
}
