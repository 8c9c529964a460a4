/**
 * The executor's Runtime made of a backend and the HTTP verifier: verification goes to the address the backend
 * reports for the sandbox (with the headers its gateway needs). Tokens reach only the verifier.
 */
import type { Backend } from '../apply/backend.ts';
import type { Runtime, VerifyReport } from '../apply/runtime.ts';
import { OwctlError } from '../errors.ts';
import { credentialsOf, type DesiredSandbox } from '../model/desired.ts';
import type { GuestCredentials } from '../verify/types.ts';
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
  const guest = guestCredentials(backend, sandbox, instance);
  const report = await verifyServer(backend, sandbox, guest ? { ...target, credentials: guest } : target, onStep, signal, instance, onWaiting);
  // What the engine holds beyond the guest (OpenSandbox's Credential Vault), once the rest is proven.
  const vault = report.ok && backend.verifyCredentials ? await backend.verifyCredentials(sandbox, instance) : undefined;
  if (vault === undefined) return report;
  onStep(vault);
  return vault.ok ? { ok: true, steps: [...report.steps, vault] } : { ok: false, steps: [...report.steps, vault], failed: vault };
}

async function verifyServer(
  backend: Backend,
  sandbox: DesiredSandbox,
  target: Parameters<typeof verifyEndpoint>[0],
  onStep: Parameters<Runtime['verify']>[1],
  signal: AbortSignal,
  instance: string | undefined,
  onWaiting: WaitingListener | undefined,
): Promise<VerifyReport> {
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

/** The `credentials` step's input, when the sandbox holds credentials and the engine can read the guest's variables. */
function guestCredentials(backend: Backend, sandbox: DesiredSandbox, instance: string | undefined): GuestCredentials | undefined {
  const credentials = credentialsOf(sandbox);
  const names = Object.keys(credentials);
  const prefix = backend.capabilities.egress.placeholderPrefix;
  if (names.length === 0 || backend.readGuestVariables === undefined || prefix === null) return undefined;
  return {
    placeholders: Object.fromEntries(names.map((name) => [name, `${prefix}${name}`])),
    values: names.map((name) => credentials[name]!.value),
    read: (keys) => backend.readGuestVariables!(sandbox.name, keys, instance),
    where: `${backend.capabilities.backend}-exec:${sandbox.name}`,
  };
}

export function runtimeOf(backend: Backend, project?: { name: string; dir: string }): Runtime {
  const runtime: Runtime = { ...backend, verify: (sandbox, onStep, signal, instance, onWaiting) => verifySandbox(backend, sandbox, onStep, signal, instance, onWaiting) };
  if (project !== undefined) runtime.access = accessRuntime(backend, project.name, project.dir);
  return runtime;
}
