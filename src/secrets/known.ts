/**
 * The secret values this process has read (from the file, the environment, a URL), so the last step before any
 * error reaches the user can redact them whatever produced the message. Values only ever get added.
 */
const known = new Set<string>();

export function rememberSecrets(secrets: Iterable<string>): void {
  for (const secret of secrets) if (secret !== '') known.add(secret);
}

export function knownSecrets(): string[] {
  return [...known];
}
