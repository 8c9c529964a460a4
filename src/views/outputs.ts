/**
 * Outputs: what a remote OpenWork client needs for each sandbox — its connect URL and the names of the variables
 * holding its tokens. Never a token value. Printed after a successful apply and by `owctl output`.
 */
import type { DesiredSandbox } from '../model/desired.ts';
import type { Style } from './style.ts';

export const OUTPUT_FORMAT_VERSION = '1.0';

export interface SandboxOutput {
  sandbox: string;
  /** null when the sandbox publishes no host port for the OpenWork server. */
  url: string | null;
  token_env: string;
  host_token_env: string;
  /** Headers the engine's gateway needs (OpenSandbox); absent when none. */
  headers?: Record<string, string>;
}

export interface OutputDocument {
  format_version: string;
  project: string;
  outputs: SandboxOutput[];
}

export function sandboxOutput(sandbox: DesiredSandbox, address: { url: string; headers: Record<string, string> } | null): SandboxOutput {
  const headers = address !== null && Object.keys(address.headers).length > 0 ? { headers: address.headers } : {};
  return { sandbox: sandbox.name, url: address?.url ?? null, token_env: sandbox.tokens.clientEnv, host_token_env: sandbox.tokens.hostEnv, ...headers };
}

/** `NAME  URL  (token: the file's VAR)` lines, aligned; empty when there is nothing to show. */
export function renderOutputs(outputs: SandboxOutput[], s: Style): string {
  if (outputs.length === 0) return '';
  const width = Math.max(...outputs.map((o) => o.sandbox.length));
  const lines = outputs.map((o) => {
    const where = o.url ?? s.dim("(no host port for the server's guest port)");
    return `  ${o.sandbox.padEnd(width)}  ${where}  ${s.dim(`token: sandboxes.${o.sandbox}.tokens.client (guest ${o.token_env}); \`owctl connect ${o.sandbox} --show-token\` prints it`)}`;
  });
  return `${lines.join('\n')}\n`;
}
