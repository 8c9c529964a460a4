/**
 * The environment msb runs with: an allowlist of the parent's variables, never the whole environment. owctl's own
 * environment may hold tokens (they are interpolated into the YAML from it); msb hands its environment to the
 * sandbox processes it spawns, so nothing it does not need is passed on.
 */
const EXACT = new Set([
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'LANG',
  'TZ',
  'TMPDIR',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'DOCKER_CONFIG',
]);
const PROXY = new Set(['http_proxy', 'https_proxy', 'no_proxy', 'all_proxy']);

/** Variables msb reads (MSB_HOME, MSB_BACKEND, MSB_PROFILE, MSB_API_KEY, …), locale, proxies and TLS roots. */
export function msbEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) continue;
    const wanted =
      EXACT.has(key) || key.startsWith('LC_') || key.startsWith('XDG_') || key.startsWith('MSB_') || PROXY.has(key.toLowerCase());
    // An empty MSB_* value means unset (msb's own rule for MSB_HOME); dropping it keeps that true for all of them.
    if (wanted && !(key.startsWith('MSB_') && value === '')) out[key] = value;
  }
  // Plain text: msb's stderr is parsed (errors.ts) and shown to users, colour codes would only get in the way.
  out.NO_COLOR = '1';
  return out;
}

/** The MSB_HOME msb will use, and whether it came from the environment or is msb's default. */
export function effectiveMsbHome(env: NodeJS.ProcessEnv): { path: string; source: 'MSB_HOME' | 'default' } {
  const explicit = env.MSB_HOME;
  if (explicit !== undefined && explicit !== '') return { path: explicit, source: 'MSB_HOME' };
  return { path: `${env.HOME ?? '~'}/.microsandbox`, source: 'default' };
}
