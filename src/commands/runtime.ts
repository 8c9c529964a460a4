/**
 * The composition root of apply: the executor's Runtime made of the msb driver, the host filesystem and the
 * HTTP verifier. Secrets pass through here only as values handed to msb's private conf file and to the verifier.
 */
import { mkdir } from 'node:fs/promises';
import type { ModifyPatch, Runtime, VerifyReport } from '../apply/runtime.ts';
import { OwctlError } from '../errors.ts';
import { archiveDigest } from '../image/archive-digest.ts';
import type { DesiredSandbox } from '../model/desired.ts';
import type { ObservedState } from '../model/observed.ts';
import type { Msb } from '../msb/driver.ts';
import { verifyEndpoint } from '../verify/verify.ts';
import { serverUrl } from './snapshot.ts';

const UP = new Set(['Running', 'Starting']);

export async function verifySandbox(sandbox: DesiredSandbox, onStep: Parameters<Runtime['verify']>[1], signal: AbortSignal): Promise<VerifyReport> {
  const baseUrl = serverUrl(sandbox, sandbox.verify.connectHost);
  if (baseUrl === null) {
    throw new OwctlError('verify.failed', `${sandbox.name} publishes no host port for the OpenWork server (guest port 8787)`, {
      hint: `add ports: [{ host: 8787, guest: 8787 }] to sandboxes.${sandbox.name}`,
    });
  }
  const result = await verifyEndpoint(
    { baseUrl, clientToken: sandbox.tokens.client, hostToken: sandbox.tokens.host, timeoutSecs: sandbox.verify.timeoutSecs },
    onStep,
    signal,
  );
  return result;
}

export function msbRuntime(msb: Msb, observed: ObservedState, secrets: string[]): Runtime {
  const status = new Map(observed.sandboxes.map((s) => [s.name, s.status]));
  return {
    inspectImage: (ref) => msb.imageInspect(ref),
    loadImage: (archive, ref) => msb.imageLoad(archive, ref),
    pullImage: (ref) => msb.pull(ref),
    archiveDigest,
    prepareMounts: async (sandbox) => {
      for (const mount of sandbox.mounts) if (mount.type === 'bind') await mkdir(mount.source, { recursive: true });
    },
    create: (sandbox, labels) => msb.create(sandbox, labels),
    remove: (name) => msb.remove(name, { force: true }),
    start: (name) => msb.start(name),
    modify: async (name: string, patch: ModifyPatch, options) => {
      const secretEnv = Object.keys(patch.env).filter((key) => secrets.includes(patch.env[key]!));
      const changes = { cpus: patch.cpus, memoryMib: patch.memoryMib, env: patch.env, envRemove: patch.envRemove, labels: patch.labels, labelRemove: patch.labelRemove };
      const running = UP.has(status.get(name) ?? 'Stopped');
      if (!running || options.restart) {
        await msb.modify(name, changes, { restart: options.restart, secretEnv });
        return;
      }
      // Running, no restart: only label changes get here (everything else needs a restart in msb 0.6.18); msb
      // would refuse them on a running VM, so they are saved for the next start.
      await msb.modify(name, { labels: patch.labels, labelRemove: patch.labelRemove }, { nextStart: true, secretEnv });
    },
    launchServer: (name, argv) => msb.launchWorkload(name, argv),
    verify: verifySandbox,
  };
}
