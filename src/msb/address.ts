/** Where a client reaches a sandbox's OpenWork server on microsandbox: the host port published for guest port 8787. */
export const OPENWORK_GUEST_PORT = 8787;

export function serverUrl(sandbox: { ports: { guest: number; host: number; bind: string }[] }, connectHost: string): string | null {
  const port = sandbox.ports.find((p) => p.guest === OPENWORK_GUEST_PORT);
  if (port === undefined) return null;
  const host = port.bind === '0.0.0.0' || port.bind === '::' ? connectHost : port.bind;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port.host}`;
}
