/** In-memory desired/observed states for planner and view tests. */
import { ownedLabels } from '../../src/model/applied.ts';
import type { DesiredSandbox, DesiredState } from '../../src/model/desired.ts';
import { guestEnv } from '../../src/model/desired.ts';
import type { ObservedSandbox, ObservedState } from '../../src/model/observed.ts';

export const CLIENT_TOKEN = 'client-token-0123456789abcdef';
export const HOST_TOKEN = 'host-token-0123456789abcdef';

export function desiredSandbox(name: string, overrides: Partial<DesiredSandbox> = {}): DesiredSandbox {
  return {
    name,
    image: { ref: 'openwork-microsandbox:dev' },
    pull: 'if-missing',
    cpus: 2,
    memoryMib: 2048,
    mounts: [
      { type: 'bind', source: `/srv/demo/.owctl/${name}/workspace`, target: '/workspace', readonly: false },
      { type: 'tmpfs', target: '/tmp', sizeMib: 256 },
    ],
    ports: [{ host: 8787, guest: 8787, bind: '127.0.0.1', protocol: 'tcp' }],
    tokens: { client: CLIENT_TOKEN, host: HOST_TOKEN, clientEnv: 'OPENWORK_TOKEN', hostEnv: 'OPENWORK_HOST_TOKEN' },
    env: { OPENWORK_APPROVAL_MODE: 'auto' },
    sensitiveEnv: [],
    labels: {},
    idleTimeoutSecs: 1800,
    maxDurationSecs: 28800,
    protect: false,
    verify: { timeoutSecs: 120, connectHost: '127.0.0.1' },
    serverPort: 8787,
    serverPortEnv: 'OPENWORK_PORT',
    ...overrides,
  };
}

export function desiredState(sandboxes: DesiredSandbox[], project = 'demo'): DesiredState {
  return { file: '/srv/demo/openwork.yaml', dir: '/srv/demo', project, sandboxes };
}

/** The live record owctl would leave after applying `sandbox`, as msb reports it (image env merged in). */
export function observedFrom(project: string, sandbox: DesiredSandbox, overrides: Partial<ObservedSandbox> = {}): ObservedSandbox {
  return {
    name: sandbox.name,
    status: 'Running',
    labels: ownedLabels(project, sandbox),
    image: sandbox.image.ref,
    manifestDigest: 'sha256:aaaa',
    pull: sandbox.pull,
    cpus: sandbox.cpus,
    memoryMib: sandbox.memoryMib,
    env: { PATH: '/usr/local/bin:/usr/bin:/bin', ...guestEnv(sandbox) },
    mounts: sandbox.mounts,
    ports: sandbox.ports,
    idleTimeoutSecs: sandbox.idleTimeoutSecs ?? null,
    maxDurationSecs: sandbox.maxDurationSecs ?? null,
    server: 'up',
    ...overrides,
  };
}

export function observedState(sandboxes: ObservedSandbox[]): ObservedState {
  return { backend: 'local', sandboxes, images: {} };
}
