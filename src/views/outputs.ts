/**
 * Outputs: what a remote OpenWork client needs for each sandbox — its connect URL and the names of the variables
 * holding its tokens. Never a token value. Printed after a successful apply and by `owctl output`.
 */
import { tokenFileOf } from '../model/access.ts';
import type { DesiredSandbox } from '../model/desired.ts';
import type { Style } from './style.ts';

/** 1.1: `access` (each person's scope and token file); 1.2: `token_file_current`. */
export const OUTPUT_FORMAT_VERSION = '1.2';

export interface SandboxOutput {
  sandbox: string;
  /** null when the sandbox publishes no host port for the OpenWork server. */
  url: string | null;
  token_env: string;
  host_token_env: string;
  /** Headers the engine's gateway needs (OpenSandbox); absent when none. */
  headers?: Record<string, string>;
  /** Each person of the sandbox's `access:`: scope and the file holding their token, relative to the project folder. */
  access?: PersonOutput[];
}

export interface PersonOutput {
  person: string;
  scope: string;
  token_file: string;
  /**
   * Whether the file on this machine holds the person's current token (its salted digest against owctl's record on
   * the sandbox); absent when that cannot be told (no file here, no record, a value owctl never held).
   */
  token_file_current?: boolean;
}

export interface OutputDocument {
  format_version: string;
  project: string;
  outputs: SandboxOutput[];
}

export function sandboxOutput(sandbox: DesiredSandbox, address: { url: string; headers: Record<string, string> } | null, current: Record<string, boolean> = {}): SandboxOutput {
  const headers = address !== null && Object.keys(address.headers).length > 0 ? { headers: address.headers } : {};
  const people = sandbox.access ?? [];
  const entry = (person: string, scope: string): PersonOutput => ({ person, scope, token_file: tokenFileOf(sandbox.name, person), ...(current[person] === undefined ? {} : { token_file_current: current[person] }) });
  const access = people.length > 0 ? { access: people.map((e) => entry(e.person, e.scope)) } : {};
  return { sandbox: sandbox.name, url: address?.url ?? null, token_env: sandbox.tokens.clientEnv, host_token_env: sandbox.tokens.hostEnv, ...headers, ...access };
}

/** `NAME  URL  (token: the file's VAR)` lines, aligned; empty when there is nothing to show. */
export function renderOutputs(outputs: SandboxOutput[], s: Style): string {
  if (outputs.length === 0) return '';
  const width = Math.max(...outputs.map((o) => o.sandbox.length));
  const lines = outputs.map((o) => {
    const where = o.url ?? s.dim("(no host port for the server's guest port)");
    const line = `  ${o.sandbox.padEnd(width)}  ${where}  ${s.dim(`token: sandboxes.${o.sandbox}.tokens.client (guest ${o.token_env}); \`owctl connect ${o.sandbox} --show-token\` prints it`)}`;
    const people = (o.access ?? []).map((a) =>
      a.token_file_current === false
        ? `  ${''.padEnd(width)}    ${a.person} (${a.scope}): ${a.token_file} ${s.dim('is not the current token (issued or rotated from another machine)')}`
        : `  ${''.padEnd(width)}    ${a.person} (${a.scope}): ${a.token_file}; \`owctl connect ${o.sandbox} --as ${a.person} --show-token\` prints it`,
    );
    return [line, ...people].join('\n');
  });
  return `${lines.join('\n')}\n`;
}
