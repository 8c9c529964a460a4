/** Removes secrets from text that may echo input (error messages, URLs) before it reaches a user or a log. */
export const REDACTED = '[redacted]';

/**
 * Replaces every occurrence of each non-empty secret, and of its URL-encoded form, with `[redacted]`. Longer secrets
 * go first so a secret that contains another is removed whole.
 */
export function redact(text: string, secrets: readonly string[]): string {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (secret === '') continue;
    forms.add(secret);
    forms.add(encodeURIComponent(secret));
  }
  let out = text;
  for (const form of [...forms].sort((a, b) => b.length - a.length)) out = out.split(form).join(REDACTED);
  return out;
}

/** A URL fit to show: no user-info, secrets redacted. */
export function displayUrl(url: string, secrets: readonly string[]): string {
  let shown = url;
  try {
    const parsed = new URL(url);
    if (parsed.username !== '' || parsed.password !== '') {
      parsed.username = '';
      parsed.password = '';
      shown = parsed.toString();
    }
  } catch {
    // not a URL: show it as given, redacted
  }
  return redact(shown, secrets);
}
