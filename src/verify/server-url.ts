/**
 * The URL a user gives `owctl verify --url`: a server (`http://host:8787`) or one of its workspaces
 * (`http://host:8787/w/<id>`, the form the OpenWork app shares). Server routes hang off the part before `/w/<id>`.
 */
export type ServerUrl = { ok: true; baseUrl: string; workspaceId?: string } | { ok: false; problem: string; suggestion?: string };

const WORKSPACE_PATH = /^(.*)\/w\/([^/]+)\/?$/;

export function parseServerUrl(text: string): ServerUrl {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    const bare = !/^[a-z][a-z0-9+.-]*:\/\//i.test(text);
    return { ok: false, problem: 'is not an http:// or https:// URL', ...(bare ? { suggestion: `http://${text}` } : {}) };
  }
  if (url.search !== '' || url.hash !== '') return { ok: false, problem: 'has a query or fragment; give the server address only' };
  const match = WORKSPACE_PATH.exec(url.pathname);
  const path = (match ? match[1]! : url.pathname).replace(/\/+$/, '');
  const baseUrl = `${url.origin}${path}`;
  return match ? { ok: true, baseUrl, workspaceId: decodeURIComponent(match[2]!) } : { ok: true, baseUrl };
}
