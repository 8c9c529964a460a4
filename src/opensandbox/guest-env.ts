/**
 * The guest's environment variables, read inside the sandbox through its execd (the per-sandbox daemon), reached as
 * the upstream SDKs reach it: the lifecycle API's endpoint for port 44772 and the headers that answer names.
 * `POST /command` runs `printenv NAME` under the guest's shell and answers a stream of JSON events (standard SSE
 * `data:` frames or one JSON object a line): `stdout` text, then `execution_complete`, or `error` whose `evalue` is the
 * exit status (printenv exits 1 for an unset variable). The answer may hold a credential's value: it is returned
 * to the caller only, and every known secret is redacted from anything execd says before it reaches a message.
 */
import { Agent, request } from 'undici';
import { OwctlError } from '../errors.ts';
import type { OpenSandboxClient } from './client.ts';
import { redactAll } from './errors.ts';

export const EXECD_PORT = 44772;

/** A name the shell reads as one variable, and nothing else (names come from the file; this keeps argv inert). */
const VARIABLE = /^[A-Za-z_][A-Za-z0-9_]*$/;

interface StreamEvent {
  type?: string;
  text?: string;
  error?: { ename?: string; evalue?: string };
}

export interface GuestEnvContext {
  client: OpenSandboxClient;
  timeoutMs: number;
  secrets: readonly string[];
}

/** Each line of the body that is a JSON event (an SSE `data:` line or a bare JSON line); other SSE fields are skipped. */
export function streamEvents(body: string): StreamEvent[] {
  const events: StreamEvent[] = [];
  for (const raw of body.split(/\r?\n/)) {
    const line = raw.startsWith('data:') ? raw.slice(5).trim() : raw.trim();
    if (!line.startsWith('{')) continue;
    try {
      events.push(JSON.parse(line) as StreamEvent);
    } catch {
      // A frame that is not JSON carries no event.
    }
  }
  return events;
}

/** What one `printenv NAME` answered: the value (execd may split output into lines, each with or without its newline), or null when unset. */
export function printenvResult(events: StreamEvent[]): string | null | undefined {
  const failed = events.find((e) => e.type === 'error');
  if (failed !== undefined) return failed.error?.evalue === '1' ? null : undefined;
  if (!events.some((e) => e.type === 'execution_complete')) return undefined;
  return events
    .filter((e) => e.type === 'stdout')
    .map((e) => (e.text ?? '').replace(/\n$/, ''))
    .join('\n');
}

export async function readGuestVariables(ctx: GuestEnvContext, id: string, name: string, keys: string[]): Promise<Record<string, string | null>> {
  const bad = keys.find((key) => !VARIABLE.test(key));
  if (bad !== undefined) throw new OwctlError('verify.failed', `${name}: ${bad} is not a variable name the guest's shell can read`, { hint: 'name credentials as environment variables (letters, digits, _)' });
  const answer = await ctx.client.endpoint(id, EXECD_PORT, name);
  const url = (/^https?:\/\//.test(answer.endpoint) ? answer.endpoint : `http://${answer.endpoint}`).replace(/\/+$/, '');
  const agent = new Agent({ connect: { timeout: 10_000 }, keepAliveTimeout: 2_000 });
  try {
    const found: Record<string, string | null> = {};
    // One command per variable: its exit status tells an unset variable from an empty one.
    for (const key of keys) found[key] = await printenv(ctx, agent, { url, headers: answer.headers ?? {}, name }, key);
    return found;
  } finally {
    await agent.close();
  }
}

async function printenv(ctx: GuestEnvContext, agent: Agent, execd: { url: string; headers: Record<string, string>; name: string }, key: string): Promise<string | null> {
  let status: number;
  let text: string;
  try {
    const answer = await request(`${execd.url}/command`, {
      dispatcher: agent,
      method: 'POST',
      headers: { ...execd.headers, accept: 'text/event-stream', 'content-type': 'application/json' },
      // execd ends the command at its own `timeout` (ms), so none outlives this request.
      body: JSON.stringify({ command: `printenv ${key}`, timeout: ctx.timeoutMs }),
      signal: AbortSignal.timeout(ctx.timeoutMs),
    });
    status = answer.statusCode;
    text = await answer.body.text();
  } catch (error) {
    const code = typeof (error as { code?: unknown }).code === 'string' ? (error as { code: string }).code : undefined;
    throw new OwctlError('verify.failed', `the execd of ${execd.name} did not answer at ${execd.url}${code ? ` (${code})` : ''}`, {
      hint: 'is the sandbox running? `owctl status`',
      details: { url: execd.url, ...(code ? { network_code: code } : {}) },
    });
  }
  const value = status === 200 ? printenvResult(streamEvents(text)) : undefined;
  if (value !== undefined) return value;
  // Never the output itself: it may hold the value. execd's own error text is redacted of every known secret.
  const said = status === 200 ? '' : `: ${redactAll(text.trim(), ctx.secrets).slice(0, 200)}`;
  throw new OwctlError('verify.failed', `the execd of ${execd.name} could not run printenv in the guest (HTTP ${status})${said}`, {
    hint: 'the guest needs printenv (coreutils or busybox) on its PATH; `owctl status` shows whether the sandbox runs',
    details: { status },
  });
}
