/**
 * Whether msb could reach an image registry from here: a TCP connection to its HTTPS port, bounded. Only asked for
 * images apply would pull, so a plan whose images are cached pays nothing. Behind a proxy the direct connection
 * says nothing about msb's (which goes through the proxy): then the registry is not judged.
 */
import { connect } from 'node:net';

const PROBE_MS = 2_000;

export function behindProxy(env: NodeJS.ProcessEnv): boolean {
  return ['https_proxy', 'all_proxy'].some((key) => (env[key] ?? env[key.toUpperCase()] ?? '') !== '');
}

/** `host` or `host:port` (the registry part of an image reference); true when it accepted a connection in time. */
export function registryAnswers(registry: string, timeoutMs = PROBE_MS): Promise<boolean> {
  const match = /^(.*?)(?::(\d+))?$/.exec(registry)!;
  const host = match[1]!;
  const port = match[2] === undefined ? 443 : Number(match[2]);
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const finish = (answered: boolean) => {
      socket.destroy();
      resolve(answered);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}
