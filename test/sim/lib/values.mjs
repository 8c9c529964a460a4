// Value grammars of msb 0.6.18 (sizes, durations, ports, env, labels) with its exact error texts, probed against the
// real binary. Each parser throws a plain MsbError (exit 1): msb validates these after clap, not in clap.
import { isIP } from 'node:net';
import { unsignedProblem } from './args.mjs';
import { fail } from './errors.mjs';

const U32_MAX = 4294967295n;
const U64_MAX = 18446744073709551615n;
const U16_MAX = 65535n;

/** `512`, `512M`, `1.5G` → MiB. Bare numbers are MiB; only M/m and G/g suffixes; decimals only with G. */
export function parseSizeMib(text, prefix = '') {
  const s = text.trim();
  const last = s.at(-1);
  if (last === 'G' || last === 'g') {
    const number = s.slice(0, -1).trim();
    const value = rustFloat(number);
    if (value === null) throw fail(`${prefix}invalid size: invalid float literal`);
    if (Number.isNaN(value) || !Number.isFinite(value) || value < 0) throw fail(`${prefix}size must be a finite positive number`);
    const mib = value * 1024;
    if (mib > Number(U32_MAX)) throw fail(`${prefix}size too large`);
    return Math.floor(mib);
  }
  if (last === 'M' || last === 'm') {
    const number = s.slice(0, -1).trim();
    const problem = unsignedProblem(number, U32_MAX);
    if (problem) throw fail(`${prefix}invalid size: ${plainProblem(problem)}`);
    return Number(number.replace(/^\+/, ''));
  }
  const problem = unsignedProblem(s, U32_MAX);
  if (problem) throw fail(`${prefix}invalid size (expected e.g. 512M, 1G): ${plainProblem(problem)}`);
  return Number(s.replace(/^\+/, ''));
}

/** `30`, `30s`, `5m`, `1h` → seconds (u64). `1d`, `1h30m`, `500ms`, `5M` are rejected with Rust's parse error. */
export function parseDurationSecs(text) {
  const s = text.trim();
  const units = { s: 1n, m: 60n, h: 3600n };
  const unit = units[s.at(-1)];
  const number = unit === undefined ? s : s.slice(0, -1);
  const problem = unsignedProblem(number, U64_MAX);
  if (problem) throw fail(plainProblem(problem));
  const secs = BigInt(number.replace(/^\+/, '')) * (unit ?? 1n);
  if (secs > U64_MAX) throw fail('number too large to fit in target type');
  return Number(secs);
}

/** `HOST:GUEST[/udp]`, `BIND:HOST:GUEST[/udp]`, `[V6]:HOST:GUEST`; default bind 127.0.0.1. */
export function parsePort(text) {
  const formatError = () => fail('port must be in format HOST:GUEST[/udp] or BIND_ADDR:HOST:GUEST[/udp]');
  let s = text.trim();
  let protocol = 'tcp';
  if (s.endsWith('/udp')) {
    protocol = 'udp';
    s = s.slice(0, -4);
  } else if (s.endsWith('/tcp')) {
    s = s.slice(0, -4);
  }
  let bind = '127.0.0.1';
  let host;
  let guest;
  if (s.startsWith('[')) {
    const close = s.indexOf(']');
    if (close < 0 || s[close + 1] !== ':') throw formatError();
    bind = s.slice(1, close);
    const parts = s.slice(close + 2).split(':');
    if (parts.length !== 2) throw formatError();
    [host, guest] = parts;
  } else {
    const parts = s.split(':');
    if (parts.length === 2) [host, guest] = parts;
    else if (parts.length === 3) [bind, host, guest] = parts;
    else throw formatError();
  }
  if (isIP(bind) === 0) throw fail(`invalid bind address: ${bind}`);
  if (unsignedProblem(host, U16_MAX)) throw fail(`invalid host port: ${host}`);
  if (unsignedProblem(guest, U16_MAX)) throw fail(`invalid guest port: ${guest}`);
  return { guest_port: Number(guest), host_bind: bind, host_port: Number(host), protocol };
}

/** `-e KEY=value`, or `-e KEY` to copy the host's value. */
export function parseEnvArg(text, hostEnv = process.env) {
  const eq = text.indexOf('=');
  if (eq >= 0) return [text.slice(0, eq), text.slice(eq + 1)];
  if (hostEnv[text] === undefined) throw fail(`environment variable '${text}' not set`);
  return [text, hostEnv[text]];
}

/** `--label KEY=VALUE`, or bare `KEY` (value ""). */
export function parseLabelArg(text) {
  const eq = text.indexOf('=');
  return eq >= 0 ? [text.slice(0, eq), text.slice(eq + 1)] : [text, ''];
}

/** `1 GiB`, `1536 MiB`: how msb prints memory in modify plans and tables. */
export function formatMib(mib) {
  return mib % 1024 === 0 && mib > 0 ? `${mib / 1024} GiB` : `${mib} MiB`;
}

// Rust's u32 errors for the M-suffixed and bare forms never mention the 255 range (that text is clap's, for u8).
function plainProblem(problem) {
  return problem.endsWith('0..=255') ? 'number too large to fit in target type' : problem;
}

/** Rust's `f64::from_str`: decimal, optional sign and exponent, inf/nan; null when it would fail. */
function rustFloat(text) {
  if (/^[+-]?(inf|infinity|nan)$/i.test(text)) return Number(text.replace(/inity$/i, '').replace(/^([+-]?)inf$/i, '$1Infinity').replace(/^[+-]?nan$/i, 'NaN'));
  if (!/^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/.test(text)) return null;
  return Number(text);
}
