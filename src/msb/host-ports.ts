/**
 * Whether the host ports a sandbox publishes are free, checked before a replacement removes the old sandbox: a
 * port held by another process would fail the new sandbox's boot after the old one is gone. Ports the old
 * sandbox itself holds (it is up and publishes them) are left out: removing it frees them.
 */
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import type { DesiredSandbox, PortSpec } from '../model/desired.ts';
import { OwctlError } from '../errors.ts';

const UP = new Set(['Running', 'Starting', 'Draining', 'Paused']);
const WILDCARD = new Set(['0.0.0.0', '::']);

function canBind(port: PortSpec): Promise<boolean> {
  return new Promise((done) => {
    if (port.protocol === 'udp') {
      const socket = createSocket(port.bind.includes(':') ? 'udp6' : 'udp4');
      socket.once('error', () => done(false));
      socket.bind({ port: port.host, address: port.bind, exclusive: true }, () => socket.close(() => done(true)));
      return;
    }
    const server = createServer();
    server.once('error', () => done(false));
    server.listen({ port: port.host, host: port.bind, exclusive: true }, () => server.close(() => done(true)));
  });
}

const sameSocket = (a: PortSpec, b: PortSpec) => a.host === b.host && a.protocol === b.protocol && (a.bind === b.bind || WILDCARD.has(a.bind) || WILDCARD.has(b.bind));

export async function checkHostPortsFree(sandbox: DesiredSandbox, current: { status: string; ports: PortSpec[] } | undefined): Promise<void> {
  const held = current !== undefined && UP.has(current.status) ? current.ports : [];
  for (const port of sandbox.ports) {
    if (held.some((mine) => sameSocket(mine, port))) continue;
    if (await canBind(port)) continue;
    throw new OwctlError('apply.failed', `host port ${port.bind}:${port.host}/${port.protocol} is already in use on this host`, {
      hint: `stop what listens there (\`ss -lntup | grep :${port.host}\`), or choose another host port for sandboxes.${sandbox.name}`,
    });
  }
}
