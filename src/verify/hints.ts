/**
 * What a failed verification step most likely means, as one message and one hint naming what to check or run.
 * Decided from the step, the HTTP status or the network failure's class — never from message text.
 */
import type { HttpFailure } from './http.ts';

export interface Diagnosis {
  message: string;
  hint: string;
}

const RE_APPLY = 'then run `owctl apply`';

export function healthFailure(last: { status: number } | HttpFailure, waitedSecs: number): Diagnosis {
  if ('status' in last) {
    return {
      message: `/health answered HTTP ${last.status} (not 200) for ${waitedSecs}s`,
      hint: 'something answers on this port but it is not a healthy OpenWork server: check the port mapping with `owctl status`',
    };
  }
  if (last.reason === 'refused') {
    return {
      message: `nothing listens there (connection refused) after ${waitedSecs}s`,
      hint: 'is the sandbox running and its port published? check `owctl status`; the server logs to /tmp/openwork-server.log in the sandbox',
    };
  }
  if (last.reason === 'timeout') {
    return {
      message: `/health did not answer within ${waitedSecs}s`,
      hint: 'the server may still be starting: raise verify.timeout, or check connect_host and `owctl status`',
    };
  }
  return { message: `/health unreachable after ${waitedSecs}s: ${last.message}`, hint: 'check verify.connect_host and the port mapping with `owctl status`' };
}

export function unauthorizedFailure(status: number): Diagnosis {
  if (status >= 200 && status < 300) {
    return {
      message: `/workspaces answered HTTP ${status} without a token: the server accepts anonymous clients`,
      hint: `the server did not get its client token (older images then run without auth or with demo tokens): check tokens.client_env names the variable the image reads, ${RE_APPLY}`,
    };
  }
  if (status === 404) return { message: '/workspaces not found (HTTP 404)', hint: 'this port is not served by an OpenWork server: check the port mapping with `owctl status`' };
  return { message: `/workspaces without a token answered HTTP ${status}, expected exactly 401`, hint: 'the server does not enforce client auth as expected: check the image version' };
}

export function authorizedFailure(status: number, code: string | undefined): Diagnosis {
  const what = `/workspaces with the client token answered HTTP ${status}${code ? ` (${code})` : ''}`;
  if (status === 401 || status === 403) {
    return { message: what, hint: `the server holds a different client token: check tokens.client, ${RE_APPLY} to re-create the sandbox with it` };
  }
  return { message: what, hint: 'the server failed to list workspaces: check its log (/tmp/openwork-server.log in the sandbox)' };
}

export const noWorkspace: Diagnosis = {
  message: '/workspaces lists no workspace',
  hint: 'the server has no workspace: check that /workspace is mounted and OPENWORK_WORKSPACE points at it',
};

export const notJson: Diagnosis = {
  message: 'the answer is not the JSON an OpenWork server sends',
  hint: 'something else answers on this port, or the image is not an OpenWork server: check the image and `owctl status`',
};

export function sessionFailure(action: string, status: number, code: string | undefined): Diagnosis {
  const what = `${action} answered HTTP ${status}${code ? ` (${code})` : ''}`;
  if (status === 400 && code === 'opencode_unconfigured') return { message: what, hint: 'the server has no OpenCode configured for its workspace: check the image' };
  if (status === 403) return { message: what, hint: 'the client token may not create sessions (viewer scope?): use the configured client token, or check read-only settings' };
  if (status >= 500) return { message: what, hint: 'OpenCode behind the server is not running or crashed: check /tmp/openwork-server.log in the sandbox, and its memory limit' };
  return { message: what, hint: 'the OpenCode proxy did not behave as a client expects: check the image version' };
}

export function requestFailure(action: string, failure: HttpFailure): Diagnosis {
  if (failure.reason === 'timeout') {
    return { message: `${action}: no answer in time`, hint: 'the server or OpenCode is overloaded or stuck: check the sandbox memory and its log' };
  }
  return { message: `${action}: ${failure.message}`, hint: 'the server went away during verification: check `owctl status` and its log' };
}

export function hostTokenFailure(status: number, code: string | undefined): Diagnosis {
  const what = `/tokens with the host token answered HTTP ${status}${code ? ` (${code})` : ''}`;
  if (status === 401 || status === 403) {
    return { message: what, hint: `the server holds a different host token: check tokens.host, ${RE_APPLY} to re-create the sandbox with it` };
  }
  return { message: what, hint: 'the server failed to list tokens: check its log (/tmp/openwork-server.log in the sandbox)' };
}
