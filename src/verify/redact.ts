/**
 * Removes secrets from text that may echo input (error messages, server answers, URLs) before it reaches a user or
 * a log, and the terminal control such text could carry (src/secrets/relay.ts).
 */
import { REDACTED, sanitize } from '../secrets/relay.ts';

export { REDACTED };

/**
 * Replaces every occurrence of each non-empty secret, and of its URL-encoded form, with `[redacted]` (longer secrets
 * first, so a secret that contains another is removed whole), and strips control characters other than colour.
 */
export function redact(text: string, secrets: readonly string[]): string {
  return sanitize(text, secrets);
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
