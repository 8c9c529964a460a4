// OCI image references the way msb resolves them: `owctl-test:1` and `docker.io/library/owctl-test:1` name the same
// cached image for create/pull, while `image inspect` matches the stored reference text exactly.

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;

/** `{ registry, repository, tag, digest }`, or null when `ref` is not a valid reference. */
export function parseRef(ref) {
  let rest = ref;
  let digest = null;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!/^[a-z0-9]+:[a-f0-9]{32,}$/.test(digest)) return null;
  }
  let tag = null;
  const lastColon = rest.lastIndexOf(':');
  if (lastColon > rest.lastIndexOf('/')) {
    tag = rest.slice(lastColon + 1);
    rest = rest.slice(0, lastColon);
    if (!TAG.test(tag)) return null;
  }
  const parts = rest.split('/');
  let registry = 'docker.io';
  if (parts.length > 1 && (parts[0].includes('.') || parts[0].includes(':') || parts[0] === 'localhost')) {
    registry = parts.shift();
  }
  if (parts.length === 0 || !parts.every((part) => COMPONENT.test(part))) return null;
  if (registry === 'docker.io' && parts.length === 1) parts.unshift('library');
  return { registry, repository: parts.join('/'), tag: tag ?? (digest ? null : 'latest'), digest };
}

/** `docker.io/library/nope:1` for `nope:1`: the form msb prints in `image not cached` errors. */
export function normaliseRef(ref) {
  const parsed = parseRef(ref);
  if (parsed === null) return ref;
  return `${parsed.registry}/${parsed.repository}${parsed.tag ? `:${parsed.tag}` : ''}${parsed.digest ? `@${parsed.digest}` : ''}`;
}

/** The URL an offline pull fails on, as in msb's `registry error: error sending request for url (…)`. */
export function manifestUrl(ref) {
  const parsed = parseRef(ref) ?? { registry: 'docker.io', repository: ref, tag: 'latest', digest: null };
  const host = parsed.registry === 'docker.io' ? 'index.docker.io' : parsed.registry;
  return `https://${host}/v2/${parsed.repository}/manifests/${parsed.digest ?? parsed.tag}`;
}
