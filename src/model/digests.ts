/**
 * Digests of field groups, for engines that cannot report a sandbox's settings back (OpenSandbox returns neither
 * env, nor resources, nor volumes, nor the timeout). Recorded on the sandbox when owctl makes it and compared by the
 * planner. Every digest is a label value (`v1-<hex>`: ≤ 63 characters of [A-Za-z0-9._-]). Secrets are digested
 * only with scrypt under a random per-sandbox salt: never a fast or unsalted hash of a token.
 */
import { createHash, scryptSync } from 'node:crypto';
import { canonicalJson, mountKey } from './applied.ts';
import type { FieldGroup } from './capabilities.ts';
import type { DesiredSandbox } from './desired.ts';

/** Bump when a group's content or encoding changes: a digest of another version never forces a replace. */
export const DIGEST_VERSION = 'v1';
/** scrypt cost: 1 MiB and a few milliseconds per sandbox, paid once per plan; the random per-sandbox salt is what defeats precomputed tables. */
const SCRYPT = { N: 1024, r: 8, p: 1, maxmem: 32 * 1024 * 1024 };

/** The groups an unreadable engine's sandbox is compared by (labels, protect and max_duration are readable). */
export const DIGESTED_GROUPS = ['image', 'resources', 'env', 'tokens', 'mounts', 'command', 'idle_timeout'] as const satisfies readonly FieldGroup[];
export type DigestedGroup = (typeof DIGESTED_GROUPS)[number];

function plain(group: Exclude<DigestedGroup, 'tokens'>, sandbox: DesiredSandbox): unknown {
  switch (group) {
    case 'image':
      return sandbox.image.ref;
    case 'resources':
      return { cpus: sandbox.cpus, memory: sandbox.memoryMib };
    case 'env':
      return { env: sandbox.env, client_env: sandbox.tokens.clientEnv, host_env: sandbox.tokens.hostEnv };
    case 'mounts':
      return [...sandbox.mounts].sort((a, b) => (mountKey(a) < mountKey(b) ? -1 : 1));
    case 'command':
      return sandbox.command ?? null;
    case 'idle_timeout':
      return sandbox.idleTimeoutSecs ?? null;
  }
}

const label = (hex: string) => `${DIGEST_VERSION}-${hex.slice(0, 32)}`;

/** A secret's digest under a random salt (hex), in label syntax: scrypt, never a fast or unsalted hash. */
export function saltedDigest(domain: string, value: string, salt: string): string {
  return label(scryptSync(value, `${domain}:${salt}`, 32, SCRYPT).toString('hex'));
}

/** One group's digest. `salt` (hex) is only used for tokens and must be the one recorded on the sandbox. */
export function groupDigest(group: DigestedGroup, sandbox: DesiredSandbox, salt: string): string {
  if (group === 'tokens') {
    const secret = `${sandbox.tokens.client}\u0000${sandbox.tokens.host}`;
    return label(scryptSync(secret, `owctl-tokens:${salt}`, 32, SCRYPT).toString('hex'));
  }
  return label(createHash('sha256').update(`${group}:${canonicalJson(plain(group, sandbox))}`).digest('hex'));
}

export function groupDigests(sandbox: DesiredSandbox, salt: string): Record<DigestedGroup, string> {
  return Object.fromEntries(DIGESTED_GROUPS.map((group) => [group, groupDigest(group, sandbox, salt)])) as Record<DigestedGroup, string>;
}

/** One digest over every group's digest: the sandbox's config hash in label syntax. */
export function combinedDigest(digests: Record<DigestedGroup, string>): string {
  return label(createHash('sha256').update(canonicalJson(digests)).digest('hex'));
}
