/**
 * Hosts OpenCode (1.18, the version the OpenWork image pins) reaches on its own when it starts, read from its
 * binary: its model catalogue (`https://models.opencode.ai`, or OPENCODE_MODELS_URL; OPENCODE_DISABLE_MODELS_FETCH=1
 * turns it off) and the npm registry it installs its plugins from (`registry.npmjs.org`, or the registry of an
 * .npmrc; OPENCODE_DISABLE_DEFAULT_PLUGINS=1 skips the default ones). Blocked, OpenCode still starts, but its first
 * session waits on those fetches (16–144 s measured offline) and its model list is what it has cached.
 */
export interface EgressNeed {
  host: string;
  why: string;
}

export const OPENCODE_EGRESS: readonly EgressNeed[] = [
  { host: 'models.opencode.ai', why: 'its model catalogue' },
  { host: 'registry.npmjs.org', why: 'its plugins (installed with npm at start)' },
];

/**
 * Variables msb's guest agent points at its TLS interception CA (microsandbox agentd, lib/tls.rs). OpenCode is a Bun
 * binary that trusts extra CAs only through NODE_EXTRA_CA_CERTS: with a credential, none of them may be overridden.
 */
export const INTERCEPTION_CA_VARIABLES: readonly string[] = ['CURL_CA_BUNDLE', 'NODE_EXTRA_CA_CERTS', 'REQUESTS_CA_BUNDLE', 'SSL_CERT_FILE'];
