/**
 * Per-person OpenWork tokens (`access:` in the file). The server issues them (`POST /tokens`), lists them with their
 * id, scope and label only (`GET /tokens`) and revokes them (`DELETE /tokens/{id}`). owctl knows its own by label,
 * `owctl:<project>/<sandbox>/<person>`, the only identity the listing returns: a token with any other label is
 * never touched (the image's owner tokens from earlier boots aside, see `staleOwnerTokens`). No value is ever part
 * of these types.
 */
export const ACCESS_SCOPES = ['owner', 'collaborator', 'viewer'] as const;
export type AccessScope = (typeof ACCESS_SCOPES)[number];

/** One declared person and the scope of their token. */
export interface AccessEntry {
  person: string;
  scope: AccessScope;
}

/** One token as `GET /tokens` lists it. `createdAt` is the server's epoch milliseconds, when it says. */
export interface ObservedToken {
  id: string;
  scope: string;
  label: string | null;
  createdAt: number | null;
}

/**
 * The server's token list, read with the host token during observe. `bootedAt` is when the server started (owctl's
 * clock minus the uptime `/health` reports), so tokens issued before it come from an earlier boot.
 */
export interface ObservedAccess {
  tokens: ObservedToken[];
  bootedAt: number | null;
}

/** The label the image's orchestrator gives the owner token it issues on every start (never printed, never revoked). */
export const BOOT_OWNER_LABEL = 'OpenWork owner token';

/** Boot times within this of a token's creation are not trusted to order them (the two clocks may differ a little). */
export const BOOT_CLOCK_MARGIN_MS = 2_000;

export function accessLabel(project: string, sandbox: string, person: string): string {
  return `owctl:${project}/${sandbox}/${person}`;
}

/** owctl's tokens for one person on one sandbox, oldest first. */
export function tokensOf(access: ObservedAccess, project: string, sandbox: string, person: string): ObservedToken[] {
  const label = accessLabel(project, sandbox, person);
  return access.tokens.filter((token) => token.label === label).sort((a, b) => (a.createdAt ?? 0) - (b.createdAt ?? 0) || (a.id < b.id ? -1 : 1));
}

/** The people owctl issued tokens to on this sandbox (its label prefix), sorted. */
export function peopleOf(access: ObservedAccess, project: string, sandbox: string): string[] {
  const prefix = accessLabel(project, sandbox, '');
  const people = access.tokens.flatMap((token) => (token.label?.startsWith(prefix) ? [token.label.slice(prefix.length)] : []));
  return [...new Set(people)].filter((person) => person !== '').sort();
}

/**
 * Owner tokens the image issued on earlier boots: labelled as the image labels them, created before this boot
 * (with a margin for clock differences). Without a boot time or a creation time nothing can be told apart: none.
 */
export function staleOwnerTokens(access: ObservedAccess): ObservedToken[] {
  const booted = access.bootedAt;
  if (booted === null) return [];
  return access.tokens
    .filter((token) => token.scope === 'owner' && token.label === BOOT_OWNER_LABEL && token.createdAt !== null && token.createdAt < booted - BOOT_CLOCK_MARGIN_MS)
    .sort((a, b) => (a.id < b.id ? -1 : 1));
}

/**
 * Whether the server's token store survives a new sandbox: `OPENWORK_TOKEN_STORE` points into a bind or volume
 * mount. Otherwise it is in the guest's home folder, lost with the sandbox, and a replacement changes every token.
 */
export function tokenStoreKept(sandbox: { env: Record<string, string>; mounts: Array<{ type: string; target: string }> }): boolean {
  const store = sandbox.env.OPENWORK_TOKEN_STORE;
  if (store === undefined) return false;
  return sandbox.mounts.some((m) => m.type !== 'tmpfs' && (store === m.target || store.startsWith(`${m.target}/`)));
}

/** Where a person's token value is written, relative to the project folder (0600, git-ignored). */
export function tokenFileOf(sandbox: string, person: string): string {
  return `.owctl/access/${sandbox}/${person}.token`;
}
