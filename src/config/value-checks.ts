/**
 * Values the schema lets through but a sandbox cannot use: each would otherwise fail only after the old sandbox
 * was removed, at verify ("the server went away"), or be read by msb as something else.
 *  - no value may start with `-` where msb takes it as an argument (an image `--help` would be an msb flag);
 *  - no NUL byte or line break in anything that becomes a path, an env value, a label or an argument;
 *  - tokens travel in HTTP headers: visible Latin-1 only;
 *  - the token variables must not replace a variable the guest's programs depend on (PATH, LD_PRELOAD…);
 *  - a bind address is an address of this host (no IPv6 zone such as `%eth0`);
 *  - connect_host is a host name or an IP address (`user@host` or a path would send the tokens elsewhere).
 */
import { isIP } from 'node:net';
import type { DesiredSandbox } from '../model/desired.ts';
import type { Issue, Segment } from './issue.ts';

type At = (...rest: Segment[]) => Segment[];

const CONTROL = /[\u0000-\u001f\u007f]/;
const NUL = /\u0000/;
/** Bytes a header value may carry (RFC 9110 field-vchar and obs-text), no spaces: what a token may be made of. */
const TOKEN_CHARS = /^[\u0021-\u007e\u0080-\u00ff]+$/;
const HOST_NAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;
/** Variables the guest's shell, loader or runtimes read: a token must not land in one of them. */
const PROCESS_VARIABLES = new Set(['PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'PWD', 'OLDPWD', 'TERM', 'LANG', 'LANGUAGE', 'TZ', 'HOSTNAME', 'IFS', 'ENV', 'BASH_ENV', 'CDPATH', 'TMPDIR', 'NODE_OPTIONS', 'NODE_PATH', 'PYTHONPATH', 'PYTHONSTARTUP', 'PERL5OPT', 'RUBYOPT', 'OPENWORK_PORT', 'OPENWORK_WORKSPACE', 'OPENWORK_DATA_DIR']);
const PROCESS_PREFIXES = ['LD_', 'LC_', 'XDG_', 'DYLD_', 'GCONV_'];

export function checkValues(sandbox: DesiredSandbox, at: At): Issue[] {
  return [...checkImage(sandbox, at), ...checkText(sandbox, at), ...checkTokenValues(sandbox, at), ...checkTokenNames(sandbox, at), ...checkCommand(sandbox, at), ...checkAddresses(sandbox, at)];
}

function checkImage(sandbox: DesiredSandbox, at: At): Issue[] {
  const { ref } = sandbox.image;
  if (!ref.startsWith('-')) return [];
  return [{ path: typeof sandbox.image.archive === 'string' ? at('image', 'ref') : at('image'), message: `${JSON.stringify(ref)} is not an image reference (it starts with "-")`, hint: 'write an image reference such as openwork-microsandbox:dev' }];
}

type Text = [path: Segment[], value: string, on: 'key' | 'value', pattern: RegExp];

/**
 * Every string that reaches msb's conf, argv or the guest, with where it is in the file. Paths and labels take no
 * control character at all; env values and command arguments may hold line breaks (a script), never a NUL byte.
 */
function texts(sandbox: DesiredSandbox, at: At): Text[] {
  const out: Text[] = [];
  sandbox.mounts.forEach((mount, index) => {
    if (mount.type !== 'tmpfs') out.push([at('mounts', index, 'source'), mount.source, 'value', CONTROL]);
    out.push([at('mounts', index, 'target'), mount.target, 'value', CONTROL]);
  });
  for (const [key, value] of Object.entries(sandbox.env)) out.push([at('env', key), value, 'value', NUL]);
  for (const [key, value] of Object.entries(sandbox.labels)) out.push([at('labels', key), value, 'value', NUL], [at('labels', key), key, 'key', CONTROL]);
  sandbox.command?.forEach((arg, index) => out.push([at('command', index), arg, 'value', NUL]));
  if (sandbox.image.archive !== undefined) out.push([at('image', 'archive'), sandbox.image.archive, 'value', CONTROL]);
  return out;
}

function checkText(sandbox: DesiredSandbox, at: At): Issue[] {
  const issues: Issue[] = [];
  for (const [path, value, on, pattern] of texts(sandbox, at)) {
    const bad = pattern.exec(value);
    if (bad === null) continue;
    const what = bad[0] === '\u0000' ? 'a NUL byte' : bad[0] === '\n' || bad[0] === '\r' ? 'a line break' : `a control character (U+${bad[0].charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()})`;
    issues.push({ path, on, message: `contains ${what}`, hint: 'remove it: microsandbox and the guest cannot carry it' });
  }
  return issues;
}

function checkTokenValues(sandbox: DesiredSandbox, at: At): Issue[] {
  const issues: Issue[] = [];
  for (const which of ['client', 'host'] as const) {
    const value = sandbox.tokens[which];
    if (value === '' || TOKEN_CHARS.test(value)) continue;
    // Never the value, never the offending character: it is a secret.
    issues.push({
      path: at('tokens', which),
      message: `the ${which} token holds a space, a line break, a NUL byte, a control character or a character outside Latin-1`,
      hint: 'tokens travel in HTTP headers; `owctl init` writes suitable ones (letters, digits, - and _)',
    });
  }
  return issues;
}

function checkTokenNames(sandbox: DesiredSandbox, at: At): Issue[] {
  const issues: Issue[] = [];
  for (const [key, name] of [['client_env', sandbox.tokens.clientEnv], ['host_env', sandbox.tokens.hostEnv]] as const) {
    if (!PROCESS_VARIABLES.has(name) && !PROCESS_PREFIXES.some((prefix) => name.startsWith(prefix))) continue;
    issues.push({ path: at('tokens', key), message: `${name} is a variable the guest's programs read`, hint: 'choose the variable the OpenWork server reads its token from, e.g. OPENWORK_TOKEN' });
  }
  return issues;
}

function checkCommand(sandbox: DesiredSandbox, at: At): Issue[] {
  const program = sandbox.command?.[0];
  if (program === '') return [{ path: at('command', 0), message: 'the program to run is empty', hint: 'name the OpenWork server start command, or leave command out to use the image’s' }];
  // The guest runs it as `setsid PROGRAM ARGS…`: a program starting with "-" would be read as setsid's option.
  if (program?.startsWith('-')) {
    return [{ path: at('command', 0), message: `${JSON.stringify(program)} starts with "-": it is an option, not a program`, hint: 'the first element is the program to run, such as /usr/local/bin/openwork-server; put options after it' }];
  }
  return [];
}

function checkAddresses(sandbox: DesiredSandbox, at: At): Issue[] {
  const issues: Issue[] = [];
  sandbox.ports.forEach((port, index) => {
    if (port.bind.includes('%')) issues.push({ path: at('ports', index, 'bind'), message: `${JSON.stringify(port.bind)} names an interface zone, which microsandbox cannot bind`, hint: 'use an address without %zone, such as 127.0.0.1 or ::1' });
  });
  const host = sandbox.verify.connectHost;
  const literal = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  // The host name test first: it takes the usual values (127.0.0.1 is one), so node:net loads only for IPv6 or a bad value.
  if (!HOST_NAME.test(host) && !(isIP(literal) !== 0 && !literal.includes('%'))) {
    issues.push({ path: at('verify', 'connect_host'), message: `${JSON.stringify(host)} is not a host name or IP address`, hint: 'write only the host, such as 127.0.0.1 or sandbox.example.com (no user@, port or path): owctl sends the tokens there' });
  }
  return issues;
}
