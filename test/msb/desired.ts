/** A full DesiredSandbox for driver tests; host paths come from the test's MSB home. */
import type { DesiredSandbox, DesiredState } from '../../src/model/desired.ts';

export const CLIENT_TOKEN = 'ow-client-0123456789abcdef-SECRET';
export const HOST_TOKEN = 'ow-host-fedcba9876543210-SECRET';

export function desired(name: string, overrides: Partial<DesiredSandbox> = {}): DesiredSandbox {
  return {
    name,
    image: { ref: 'owctl-test:1' },
    pull: 'never',
    cpus: 1,
    memoryMib: 256,
    mounts: [],
    ports: [],
    tokens: { client: CLIENT_TOKEN, host: HOST_TOKEN, clientEnv: 'OPENWORK_TOKEN', hostEnv: 'OPENWORK_HOST_TOKEN' },
    env: {},
    sensitiveEnv: [],
    labels: {},
    protect: false,
    verify: { timeoutSecs: 120, connectHost: '127.0.0.1' },
    serverPort: 8787,
    serverPortEnv: 'OPENWORK_PORT',
    ...overrides,
  };
}

export function desiredState(project: string, sandboxes: DesiredSandbox[]): DesiredState {
  return { file: '/srv/owctl.yaml', dir: '/srv', project, sandboxes: [...sandboxes].sort((a, b) => (a.name < b.name ? -1 : 1)) };
}
