/**
 * A sandbox that is not Running, in owctl's terms: the server's state, reason and message, and what to check on
 * this backend. A sandbox whose command exited is `Failed` (non-zero code) or `Terminated` (code 0) about a second
 * after create answered `Running`; those never come back, so waiting longer cannot help.
 */
import { OwctlError } from '../errors.ts';
import type { WireSandbox } from './wire.ts';

/** States a sandbox never leaves on its own. */
export const DEAD_STATES: ReadonlySet<string> = new Set(['Failed', 'Terminated', 'Stopping']);

const EXITED_HINT =
  "its command exited: the OpenSandbox server's log (or the runtime's: `docker logs`, `kubectl logs` of the sandbox) says why; check that the image and the file's `command` run there, and, on a host-network server, that no other sandbox or process holds the server's port; `owctl apply` removes and recreates it";

export function notRunning(name: string, wire: WireSandbox, waitedSecs?: number): OwctlError {
  const { state, reason, message } = wire.status;
  const why = [reason, message].filter(Boolean).join(': ');
  const pending = state === 'Pending';
  return new OwctlError('opensandbox.failed', `${name} (${wire.id}) is ${state}${why ? ` (${why})` : ''}, not Running${pending && waitedSecs !== undefined ? ` after ${waitedSecs} s` : ''}`, {
    hint: pending
      ? `on Kubernetes a sandbox is Pending until its pod is scheduled and ready: check that the cluster has room for its resources and that its runtime class exists; a longer verify.timeout (a create waits the longer of it and backend.request_timeout) waits more; \`owctl apply\` removes and recreates it`
      : DEAD_STATES.has(state)
        ? EXITED_HINT
        : `the server's log for sandbox ${wire.id} says why; \`owctl apply\` removes and recreates it`,
    details: { id: wire.id, state },
  });
}
