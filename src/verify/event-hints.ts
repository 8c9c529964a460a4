/**
 * What a failed `events` step most likely means. A stream that opens and then stays silent is the mark of a proxy
 * or load balancer that buffers responses: OpenCode writes `server.connected` as soon as a client subscribes, so
 * only something in between can hold it back.
 */
import type { Diagnosis } from './hints.ts';

const BUFFERING =
  'a proxy or load balancer between here and the server buffers server-sent events, so remote clients never see a session live: ' +
  'turn response buffering off for this route (nginx: `proxy_buffering off`, or let the `X-Accel-Buffering: no` header through; ' +
  'other proxies: stream text/event-stream responses unbuffered), or connect without it';

export function silentStream(waitedMs: number): Diagnosis {
  return {
    message: `the event stream opened (HTTP 200) but no event arrived within ${seconds(waitedMs)} (OpenCode sends server.connected at once)`,
    hint: BUFFERING,
  };
}

export function missingEvent(sessionId: string, waitedMs: number, seen: readonly string[]): Diagnosis {
  return {
    message: `session.created for the new session ${sessionId} did not arrive within ${seconds(waitedMs)} (the stream delivered: ${seen.join(', ') || 'nothing'})`,
    hint: seen.length <= 1 ? BUFFERING : 'the stream carries events but not this workspace\'s sessions: check that the URL reaches the workspace clients use',
  };
}

export function noHeaders(waitedMs: number): Diagnosis {
  return { message: `the event stream did not answer within ${seconds(waitedMs)}`, hint: `the server is stuck, or ${BUFFERING}` };
}

export function notAStream(contentType: string): Diagnosis {
  return {
    message: `the event stream answered ${contentType === '' ? 'without a content type' : `"${contentType.slice(0, 60)}"`}, not text/event-stream`,
    hint: 'something in front of the server rewrites this route: clients will get no live updates; check the proxy in front of it',
  };
}

export function refused(status: number, code: string | undefined): Diagnosis {
  const what = `subscribing to the event stream answered HTTP ${status}${code ? ` (${code})` : ''}`;
  if (status === 401 || status === 403) return { message: what, hint: 'the client token opens /workspaces but not the event stream: check the image version' };
  if (status === 404) return { message: what, hint: 'OpenCode behind the server serves no /event route: check the image version' };
  return { message: what, hint: 'OpenCode behind the server failed to stream events: check /tmp/openwork-server.log in the sandbox' };
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}
