/**
 * `verify --url http://user:TOKEN@host`: the user-info is a credential. It is split off before anything is
 * requested or printed — the URL shown and requested has none — and its parts are secrets to redact.
 */
export function splitUrlCredentials(url: string): { url: string; secrets: string[] } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { url, secrets: [] };
  }
  if (parsed.username === '' && parsed.password === '') return { url, secrets: [] };
  const secrets = [parsed.username, parsed.password, decodeURIComponent(parsed.username), decodeURIComponent(parsed.password)].filter((s) => s !== '');
  parsed.username = '';
  parsed.password = '';
  return { url: parsed.toString().replace(/\/+$/, ''), secrets };
}
