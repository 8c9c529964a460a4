/**
 * What a failed verification step most likely means, as one message and one hint naming what to check or run.
 * Decided from the step, the HTTP status or the network failure's class — never from message text. Hints speak of
 * what the user gave: the file's settings for a declared sandbox, the environment variables and flags for `--url`.
 */
import type { HttpFailure } from './http.ts';

export interface Diagnosis {
  message: string;
  hint: string;
}

/** The words a hint uses for the token sources, the wait and the address, and how to put a fixed token in place. */
export interface HintTerms {
  clientToken: string;
  hostToken: string;
  clientEnvName: string;
  timeout: string;
  address: string;
  /** What to check when nothing listens, or the server went away. */
  serverDown: string;
  /** Appended to a token hint: how the server gets the corrected token ('' when the user runs the server). */
  reapply: string;
}

/** A declared sandbox: the file's settings, and `owctl apply` re-creates the sandbox. */
export const FILE_TERMS: HintTerms = {
  clientToken: 'tokens.client',
  hostToken: 'tokens.host',
  clientEnvName: 'tokens.client_env names the variable the image reads',
  timeout: 'raise verify.timeout',
  address: 'check verify.connect_host and the port mapping with `owctl status`',
  serverDown: 'is the sandbox running and its port published? check `owctl status`; the server logs to /tmp/openwork-server.log in the sandbox',
  reapply: ', then run `owctl apply` to re-create the sandbox with it',
};

/** `verify --url`: the variables the tokens came from and the flags of that command. */
export function urlTerms(tokenEnv: string, hostTokenEnv: string): HintTerms {
  return {
    clientToken: `$${tokenEnv} (--token-env)`,
    hostToken: `$${hostTokenEnv} (--host-token-env)`,
    clientEnvName: 'the server must be started with a client token',
    timeout: 'give it longer with --timeout',
    address: 'check the host and port in --url',
    serverDown: 'is the server running, and listening on the host and port in --url? check its log',
    reapply: '',
  };
}

/** `base`: the URL verified (its scheme and address name the fix for a protocol mismatch). */
export function healthFailure(last: { status: number } | HttpFailure, waitedSecs: number, terms: HintTerms = FILE_TERMS, base?: string): Diagnosis {
  if ('status' in last && (last.status === 401 || last.status === 404)) {
    return {
      message: `/health answered HTTP ${last.status}: this URL leads to no OpenWork server root (its /health needs no token and is always there, even while starting)`,
      hint: `a wrong path or prefix (a /w/<id>/opencode prefix, a proxy path), or a proxy in front that wants its own token: give the server's root address; ${terms.address}`,
    };
  }
  if ('status' in last) {
    return {
      message: `/health answered HTTP ${last.status} (not 200) for ${waitedSecs}s`,
      hint: `something answers on this port but it is not a healthy OpenWork server: ${terms.address}`,
    };
  }
  if (last.reason === 'refused') {
    return {
      message: `nothing listens there (connection refused) after ${waitedSecs}s`,
      hint: terms.serverDown,
    };
  }
  if (last.reason === 'timeout') {
    return {
      message: `/health did not answer within ${waitedSecs}s`,
      hint: `the server may still be starting: ${terms.timeout}, or ${terms.address}`,
    };
  }
  if (last.reason === 'unresolvable') return { message: `cannot resolve ${last.message}`, hint: `no retry can fix a host name that does not resolve: ${terms.address}` };
  if (last.reason === 'plain-http') {
    const plain = base?.startsWith('https://') === true ? `http://${base.slice('https://'.length)}` : 'http://';
    return { message: `https:// to a port that ${last.message.replace(/^the server on this port /, '')}`, hint: `the OpenWork server serves plain HTTP: use ${plain}, or put a TLS proxy in front of it; ${terms.address}` };
  }
  if (last.reason === 'tls') return { message: `TLS failed: ${last.message}`, hint: `the server's certificate is not trusted for this host: ${terms.address}, or use the address its certificate names` };
  return { message: `/health unreachable after ${waitedSecs}s: ${last.message}`, hint: terms.address };
}

export function unauthorizedFailure(status: number, terms: HintTerms = FILE_TERMS): Diagnosis {
  if (status >= 200 && status < 300) {
    return {
      message: `/workspaces answered HTTP ${status} without a token: the server accepts anonymous clients`,
      hint: `the server did not get its client token (older images then run without auth or with demo tokens): ${terms.clientEnvName}${terms.reapply}`,
    };
  }
  if (status === 404) return { message: '/workspaces not found (HTTP 404)', hint: `this port is not served by an OpenWork server: ${terms.address}` };
  return { message: `/workspaces without a token answered HTTP ${status}, expected exactly 401`, hint: 'the server does not enforce client auth as expected: check the image version' };
}

export function authorizedFailure(status: number, code: string | undefined, terms: HintTerms = FILE_TERMS): Diagnosis {
  const what = `/workspaces with the client token answered HTTP ${status}${code ? ` (${code})` : ''}`;
  if (status === 401 || status === 403) {
    return { message: what, hint: `the server holds a different client token: check ${terms.clientToken}${terms.reapply}` };
  }
  return { message: what, hint: 'the server failed to list workspaces: check its log (/tmp/openwork-server.log in the sandbox)' };
}

export function unknownWorkspace(id: string, terms: HintTerms = FILE_TERMS): Diagnosis {
  return { message: `/workspaces does not list workspace ${id}`, hint: `the URL names a workspace this server does not serve: ${terms.address}, or drop /w/${id} to use the server's first workspace` };
}

export const noWorkspace: Diagnosis = {
  message: '/workspaces lists no workspace',
  hint: 'the server has no workspace: check that /workspace is mounted and OPENWORK_WORKSPACE points at it',
};

export function notJson(terms: HintTerms = FILE_TERMS): Diagnosis {
  return { message: 'the answer is not the JSON an OpenWork server sends', hint: `something else answers on this port, or it is not an OpenWork server: ${terms.address}` };
}

export function sessionFailure(action: string, status: number, code: string | undefined): Diagnosis {
  const what = `${action} answered HTTP ${status}${code ? ` (${code})` : ''}`;
  if (status === 400 && code === 'opencode_unconfigured') return { message: what, hint: 'the server has no OpenCode configured for its workspace: check the image' };
  if (status === 403) return { message: what, hint: 'the client token may not create sessions (viewer scope?): use the configured client token, or check read-only settings' };
  if (status >= 500) return { message: what, hint: 'OpenCode behind the server is not running or crashed: check /tmp/openwork-server.log in the sandbox, and its memory limit' };
  return { message: what, hint: 'the OpenCode proxy did not behave as a client expects: check the image version' };
}

/** The session step waited all of verify.timeout for OpenCode; the server may still create the session later. */
export function sessionTimeout(waitedSecs: number, terms: HintTerms = FILE_TERMS): Diagnosis {
  return {
    message: `creating an OpenCode session: no answer within ${waitedSecs}s (what was left of the verification timeout); the server may still create it later, and the next verification or keepalive pass deletes it`,
    hint: `a cold OpenCode first installs its plugins (minutes without registry access): ${terms.timeout}, or give the sandbox registry access; check the sandbox memory and its log`,
  };
}

export function requestFailure(action: string, failure: HttpFailure, terms: HintTerms = FILE_TERMS): Diagnosis {
  if (failure.reason === 'timeout') {
    return { message: `${action}: no answer in time`, hint: 'the server or OpenCode is overloaded or stuck: check the sandbox memory and its log' };
  }
  return { message: `${action}: ${failure.message}`, hint: `the server went away during verification: ${terms.serverDown}` };
}

/** `isClientToken`: the token given as host token is accepted as a client credential (it is a client token). */
export function hostTokenFailure(status: number, code: string | undefined, terms: HintTerms = FILE_TERMS, isClientToken = false): Diagnosis {
  const what = `/tokens with the host token answered HTTP ${status}${code ? ` (${code})` : ''}`;
  if ((status === 401 || status === 403) && isClientToken) {
    return {
      message: `${what}: the token given as host token is a client token (the server accepts it on /workspaces)`,
      hint: `put the host (owner) token in ${terms.hostToken}; the client token only opens client routes`,
    };
  }
  if (status === 401 || status === 403) {
    return { message: what, hint: `the server holds a different host token: check ${terms.hostToken}${terms.reapply}` };
  }
  return { message: what, hint: 'the server failed to list tokens: check its log (/tmp/openwork-server.log in the sandbox)' };
}
