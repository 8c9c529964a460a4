/**
 * The executor's Runtime made of a backend and the HTTP verifier: verification goes to the address the backend
 * reports for the sandbox (with the headers its gateway needs). Tokens reach only the verifier.
 */
import type { Backend } from '../apply/backend.ts';
import type { Runtime, VerifyReport } from '../apply/runtime.ts';
import { OwctlError } from '../errors.ts';
import type { DesiredSandbox } from '../model/desired.ts';
import { verifyEndpoint, type WaitingListener } from '../verify/verify.ts';
import { accessRuntime } from './access-runtime.ts';

export async function verifySandbox(
  backend: Backend,
  sandbox: DesiredSandbox,
  onStep: Parameters<Runtime['verify']>[1],
  signal: AbortSignal,
  instance?: string,
  onWaiting?: WaitingListener,
): Promise<VerifyReport> {
  const address = await backend.serverAddress(sandbox, instance);
  if (address === null) {
    const port = sandbox.serverPort;
    throw new OwctlError('verify.failed', `${sandbox.name} publishes no address for the OpenWork server (guest port ${port})`, {
      hint: backend.capabilities.backend === 'msb' ? `add ports: [{ host: ${port}, guest: ${port} }] to sandboxes.${sandbox.name}` : `run \`owctl status ${sandbox.name}\``,
    });
  }
  const target = { baseUrl: address.url, headers: address.headers, clientToken: sandbox.tokens.client, hostToken: sandbox.tokens.host, timeoutSecs: sandbox.verify.timeoutSecs };
  if (backend.downReason === undefined) return verifyEndpoint(target, onStep, signal, onWaiting);
  // The engine reports a sandbox whose command exited: stop waiting and say what it said.
  const done = new AbortController();
  let down: OwctlError | undefined;
  void backend.downReason(sandbox.name, instance, done.signal).then(
    (error) => {
      down = error;
      if (error !== undefined) done.abort();
    },
    () => undefined,
  );
  try {
    const report = await verifyEndpoint(target, onStep, AbortSignal.any([signal, done.signal]), onWaiting);
    if (down !== undefined && !report.ok) throw down;
    return report;
  } finally {
    done.abort();
  }
}

export function runtimeOf(backend: Backend, project?: { name: string; dir: string }): Runtime {
  const runtime: Runtime = { ...backend, verify: (sandbox, onStep, signal, instance, onWaiting) => verifySandbox(backend, sandbox, onStep, signal, instance, onWaiting) };
  if (project !== undefined) runtime.access = accessRuntime(backend, project.name, project.dir);
  return runtime;
}
