/**
 * Where a client reaches a sandbox's OpenWork server on microsandbox: the host port published for the server's
 * guest port — `server.port` in the file, recorded on the sandbox (label LABEL_SERVER_PORT) when it is not 8787.
 */
import { serverPortOf, type ServerPortSource } from '../model/server-port.ts';

export function serverUrl(sandbox: ServerPortSource & { ports: { guest: number; host: number; bind: string; protocol?: string }[] }, connectHost: string): string | null {
  const guest = serverPortOf(sandbox);
  const port = sandbox.ports.find((p) => p.guest === guest && (p.protocol ?? 'tcp') === 'tcp');
  if (port === undefined) return null;
  const host = port.bind === '0.0.0.0' || port.bind === '::' ? connectHost : port.bind;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port.host}`;
}
