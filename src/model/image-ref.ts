/**
 * Where msb would pull an image reference from, by the OCI distribution convention docker uses: a first path
 * component with a dot or a port, or `localhost`, is a registry; anything else lives on Docker Hub.
 */
const DOCKER_HUB = 'index.docker.io';

export function registryOf(ref: string): string {
  const slash = ref.indexOf('/');
  if (slash < 0) return DOCKER_HUB;
  const first = ref.slice(0, slash);
  if (first === 'docker.io' || first === 'index.docker.io' || first === 'registry-1.docker.io') return DOCKER_HUB;
  return first.includes('.') || first.includes(':') || first === 'localhost' ? first : DOCKER_HUB;
}

/** The command that takes owctl through apply → status → connect → verify → destroy on any host, from its own folder. */
export const DEMO_COMMAND = 'npm run demo';
