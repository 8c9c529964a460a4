/**
 * A single health probe for `observe`: is an OpenWork server answering on this URL right now — and, given the
 * client token, the OpenCode behind it too? `/health` alone answers 200 with OpenCode hung or gone, and a server
 * whose OpenCode does not answer cannot serve a client.
 */
import { HttpClient, parseJson } from './http.ts';

export interface ProbeOptions {
  /** Per request of the first attempt (default 1.5 s). */
  timeoutMs?: number;
  /** Per request of the second attempt, made only after a first that found it down (default 5 s). */
  retryTimeoutMs?: number;
  /** Sent with every request (an engine's gateway may route by them). */
  headers?: Record<string, string>;
  /** With it, OpenCode's own health is asked through the server's proxy too. */
  clientToken?: string;
}

/**
 * `up` when /health answers 200 and, with a client token, OpenCode's `/global/health` answers 200 through the
 * proxy of the server's first workspace; `down` on anything else (other status, refused, timeout). Never throws.
 * A server found down is asked once more with a longer timeout before it is called down: "down" makes plan
 * relaunch the server, and an OpenCode that is only slow for a moment (a busy host) must not cost a client that.
 * Healthy servers pay nothing for this; a refused connection fails fast; a hung one costs both timeouts.
 */
export async function probeHealth(baseUrl: string, options: ProbeOptions = {}): Promise<'up' | 'down'> {
  if ((await probeOnce(baseUrl, options, options.timeoutMs ?? 1500)) === 'up') return 'up';
  return probeOnce(baseUrl, options, options.retryTimeoutMs ?? 5000);
}

async function probeOnce(baseUrl: string, options: ProbeOptions, timeoutMs: number): Promise<'up' | 'down'> {
  const base = baseUrl.replace(/\/+$/, '');
  const http = new HttpClient(options.clientToken === undefined ? [] : [options.clientToken], options.headers ?? {});
  try {
    const health = await http.send(`${base}/health`, { timeoutMs });
    if (health.kind !== 'answer' || health.status !== 200) return 'down';
    if (options.clientToken === undefined) return 'up';
    return (await opencodeAnswers(http, base, options.clientToken, timeoutMs)) ? 'up' : 'down';
  } finally {
    await http.close();
  }
}

async function opencodeAnswers(http: HttpClient, base: string, clientToken: string, timeoutMs: number): Promise<boolean> {
  const authorization = `Bearer ${clientToken}`;
  const list = await http.send(`${base}/workspaces`, { headers: { authorization }, timeoutMs });
  if (list.kind === 'failure') return false;
  // Another client token (the plan replaces the sandbox for that anyway) or no workspace: OpenCode cannot be
  // asked, and the server itself answers.
  if (list.status !== 200) return true;
  // The body carries OpenCode credentials: read the id and drop the rest.
  const id = (parseJson(list.body) as { items?: Array<{ id?: unknown }> } | undefined)?.items?.[0]?.id;
  if (typeof id !== 'string' || id === '') return true;
  const opencode = await http.send(`${base}/w/${encodeURIComponent(id)}/opencode/global/health`, { headers: { authorization }, timeoutMs });
  return opencode.kind === 'answer' && opencode.status === 200;
}
