/**
 * microsandbox behind the backend seam: observe, the executor's operations, where the server answers and its log,
 * all through the msb driver. Secrets pass through here only as values for msb's private conf file.
 */
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import type { Backend, LogReader, ServerAddress } from '../apply/backend.ts';
import type { FolderRecord } from '../apply/created-folders.ts';
import type { ModifyPatch } from '../apply/runtime.ts';
import { OwctlError } from '../errors.ts';
import { archiveDigest } from '../image/archive-digest.ts';
import { MSB_CAPABILITIES } from '../model/capabilities.ts';
import { credentialLabel } from '../model/credentials.ts';
import type { CredentialSpec } from '../model/desired.ts';
import { LABEL_CREDENTIALS } from '../model/labels.ts';
import { isAccessRecordKey } from '../model/access-record.ts';
import type { ObservedSandbox, SandboxStatus } from '../model/observed.ts';
import { serverUrl } from './address.ts';
import type { ServerPortSource } from '../model/server-port.ts';
import { checkHostPortsFree } from './host-ports.ts';
import type { Msb } from './driver.ts';
import type { LiveObserver } from './live-observer.ts';
import { lacksVirtualisation } from './virtualisation.ts';
import { stopServerGracefully } from './server-stop.ts';
import { behindProxy, registryAnswers } from './registry-probe.ts';

const UP = new Set(['Running', 'Starting']);
/** A failed `rm --force` that a stop cannot help. */
const FINAL_REMOVE_FAILURES: ReadonlySet<string> = new Set(['msb.sandbox_not_found', 'msb.not_found', 'msb.home_newer', 'msb.unsupported_backend']);

export interface MsbBackendOptions {
  /** Token values, to keep them in msb's private conf file and off argv. */
  secrets: string[];
  /** Says which channel observed, and why (OWCTL_DEBUG=1). */
  debug?: (line: string) => void;
  /** owctl's environment: whether msb reaches registries through a proxy. */
  env?: NodeJS.ProcessEnv;
  /** Each declared sandbox's credentials: msb reads their values from its environment whenever it boots one. */
  credentials?: Record<string, Record<string, CredentialSpec>>;
  /** Where the bind folders owctl creates are recorded, for `destroy --purge`. */
  folders?: FolderRecord;
}

/** The digests of the credential values a sandbox is started with, under a fresh random salt; none without credentials. */
function credentialLabels(credentials: Record<string, CredentialSpec> | undefined): Record<string, string> {
  if (credentials === undefined || Object.keys(credentials).length === 0) return {};
  return { [LABEL_CREDENTIALS]: credentialLabel(credentials, randomBytes(16).toString('hex')) };
}

/** owctl's access record on a live sandbox (labels), to carry over to the sandbox that replaces it. */
function recordOf(live: ObservedSandbox | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(live?.labels ?? {}).filter(([key]) => isAccessRecordKey(key)));
}

/** msb may still be being located: commands that only need an address (connect, verify) never wait for it. */
export function msbBackend(observer: LiveObserver | Promise<LiveObserver>, options: MsbBackendOptions): Backend {
  const located = Promise.resolve(observer).then((o) => {
    // msb echoes what it is given in its errors: they are redacted of these before anyone reads them.
    o.msb.addSecrets(options.secrets);
    return o.msb;
  });
  located.catch(() => undefined); // reported by the call that awaits it; never an unhandled rejection
  const msb = lazy(located);
  const status = new Map<string, SandboxStatus>();
  const observedByName = new Map<string, ObservedSandbox>();
  const connectHost = new Map<string, string>();
  const address = (sandbox: ServerPortSource & { name: string; ports: { guest: number; host: number; bind: string }[]; verify?: { connectHost: string } }): ServerAddress | null => {
    const url = serverUrl(sandbox, sandbox.verify?.connectHost ?? connectHost.get(sandbox.name) ?? '127.0.0.1');
    return url === null ? null : { url, headers: {} };
  };
  return {
    capabilities: MSB_CAPABILITIES,
    async observe(desired, request) {
      for (const sandbox of desired.sandboxes) connectHost.set(sandbox.name, sandbox.verify.connectHost);
      const probe = request.probe;
      const live = await observer;
      const observed = await live.observe(desired, {
        parallelism: request.parallelism,
        probe: probe === undefined ? undefined : async (sandbox) => {
          const where = address(sandbox);
          return where === null ? 'unknown' : probe(sandbox, where);
        },
      });
      options.debug?.(`observed through the ${live.choice.channel.toUpperCase()}: ${live.choice.reason}`);
      for (const sandbox of observed.sandboxes) {
        status.set(sandbox.name, sandbox.status);
        observedByName.set(sandbox.name, sandbox);
      }
      return { ...observed, capabilities: MSB_CAPABILITIES };
    },
    inspectImage: (ref) => msb.imageInspect(ref),
    loadImage: (archive, ref) => msb.imageLoad(archive, ref),
    pullImage: (ref) => msb.pull(ref),
    archiveDigest,
    prepareMounts: async (sandbox) => {
      const created: string[] = [];
      for (const mount of sandbox.mounts) {
        // mkdir answers the first folder it made: none when the source already existed (made by someone else).
        if (mount.type === 'bind' && (await mkdir(mount.source, { recursive: true })) !== undefined) created.push(mount.source);
      }
      await options.folders?.record(sandbox.name, created);
      return created;
    },
    checkPorts: (sandbox) => checkHostPortsFree(sandbox, observedByName.get(sandbox.name)),
    // A replacement carries owctl's access record over (a kept token store keeps the tokens it names).
    create: (sandbox, labels) => msb.create(sandbox, { ...labels, ...credentialLabels(sandbox.credentials), ...recordOf(observedByName.get(sandbox.name)) }),
    remove: async (name) => {
      try {
        await msb.remove(name, { force: true });
      } catch (error) {
        // `rm --force` stops the VM gracefully first, which msb 0.7 can let time out without killing it: stop it
        // within a bound (escalating to --force), then remove. Only after a failure: the usual path is one call.
        if (!(error instanceof OwctlError) || FINAL_REMOVE_FAILURES.has(error.code)) throw error;
        // An rm that removed the sandbox and failed after (a leftover folder) removed it: the fact decides.
        if ((await msb.inspect(name)) === null) return;
        await msb.stop(name);
        await msb.remove(name, { force: true });
      }
      // An exit code is msb's word; what is left is the fact. Never report a removal that did not happen.
      if ((await msb.inspect(name)) !== null) {
        throw new OwctlError('msb.failed', `msb rm ${name} exited 0 but the sandbox still exists`, {
          hint: `check with \`${(await located).path} inspect ${name}\`, and \`owctl doctor\` for the msb owctl runs`,
          details: { sandbox: name },
        });
      }
    },
    start: (name) => msb.start(name, options.credentials?.[name]),
    // msb's stop SIGKILLs a server that outlived its exec: a running sandbox's server is asked to stop first.
    stop: async (name) => {
      const live = await msb.inspect(name);
      if (live !== null && UP.has(live.status)) await stopServerGracefully(msb, name);
      await msb.stop(name);
    },
    modify: async (name: string, patch: ModifyPatch, modifyOptions) => {
      const secretEnv = Object.keys(patch.env).filter((key) => options.secrets.includes(patch.env[key]!));
      const credentials = patch.credentials ?? options.credentials?.[name];
      const labels = patch.credentials === undefined ? patch.labels : { ...patch.labels, ...credentialLabels(patch.credentials) };
      const secrets = { secrets: patch.secrets, secretRemove: patch.secretRemove, credentials };
      const changes = { cpus: patch.cpus, memoryMib: patch.memoryMib, env: patch.env, envRemove: patch.envRemove, labels, labelRemove: patch.labelRemove, ...secrets };
      const running = UP.has(status.get(name) ?? 'Stopped');
      if (!running || modifyOptions.restart) {
        await msb.modify(name, changes, { restart: modifyOptions.restart, secretEnv });
        return;
      }
      // Running, no restart: only label changes get here (everything else needs a restart in msb 0.6.18); msb
      // would refuse them on a running VM, so they are saved for the next start.
      await msb.modify(name, { labels: patch.labels, labelRemove: patch.labelRemove }, { nextStart: true, secretEnv });
    },
    readLabels: async (name) => (await msb.inspect(name))?.labels ?? null,
    // Always --next-start: msb 0.6.18 refuses label changes on a running VM without --restart ("requires restart"),
    // and with --next-start stores them in the sandbox's config at once (inspect and `ls --label` read them back);
    // on a stopped one it is the same as without. Recording access never restarts anything.
    writeLabels: async (name, patch) => {
      const labels = Object.fromEntries(Object.entries(patch).filter((e): e is [string, string] => e[1] !== null));
      const labelRemove = Object.keys(patch).filter((key) => patch[key] === null);
      await msb.modify(name, { labels, labelRemove }, { nextStart: true });
    },
    launchServer: (name, argv) => msb.launchWorkload(name, argv),
    // One `printenv` per variable: its exit status tells an unset variable from an empty one.
    readGuestVariables: async (name, keys) => {
      const entries = await Promise.all(
        keys.map(async (key) => {
          const result = await msb.exec(name, ['printenv', key]);
          return [key, result.exitCode === 0 ? result.stdout.replace(/\n$/, '') : null] as const;
        }),
      );
      return Object.fromEntries(entries);
    },
    stopServer: (name) => stopServerGracefully(msb, name),
    serverAddress: async (sandbox) => address(sandbox),
    // msb doctor's verdict, as `owctl doctor` reads it: the same binary answers (the test simulator pretends).
    canBoot: async () => !lacksVirtualisation((await (await located).doctor()).checks),
    registryAnswers: async (registry) => (behindProxy(options.env ?? {}) ? null : registryAnswers(registry)),
    logs: (name, logOptions): LogReader => {
      let stopped = false;
      let stopHandle = () => {
        stopped = true;
      };
      const done = located.then(async (driver) => {
        const handle = driver.serverLog(name, { tail: logOptions.tail, follow: logOptions.follow });
        stopHandle = () => handle.stop();
        if (stopped) handle.stop();
        handle.stdout.on('data', (chunk: Buffer) => logOptions.onData(chunk.toString('utf8')));
        const result = await handle.done;
        if (result.exitCode !== 0 && result.exitCode !== undefined && !logOptions.follow) {
          throw new OwctlError('msb.failed', `could not read the server log of ${name}: ${result.stderr.trim() || `exit ${result.exitCode}`}`, {
            hint: `is it running? \`owctl status ${name}\`; \`owctl apply\` starts it`,
          });
        }
      });
      return { done, stop: () => stopHandle() };
    },
  };
}

/** The driver's methods, each waiting for msb to be located first. */
function lazy(located: Msb | Promise<Msb>): Pick<Msb, 'inspect' | 'imageInspect' | 'imageLoad' | 'pull' | 'create' | 'remove' | 'start' | 'stop' | 'modify' | 'launchWorkload' | 'stopServer' | 'exec'> {
  const driver = Promise.resolve(located);
  return {
    inspect: async (name) => (await driver).inspect(name),
    imageInspect: async (ref) => (await driver).imageInspect(ref),
    imageLoad: async (archive, ref) => (await driver).imageLoad(archive, ref),
    pull: async (ref) => (await driver).pull(ref),
    create: async (sandbox, labels) => (await driver).create(sandbox, labels),
    remove: async (name, options) => (await driver).remove(name, options),
    start: async (name, credentials) => (await driver).start(name, credentials),
    stop: async (name) => (await driver).stop(name),
    modify: async (name, changes, options) => (await driver).modify(name, changes, options),
    launchWorkload: async (name, argv) => (await driver).launchWorkload(name, argv),
    stopServer: async (name, waitSecs) => (await driver).stopServer(name, waitSecs),
    exec: async (name, argv) => (await driver).exec(name, argv),
  };
}
