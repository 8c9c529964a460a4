/**
 * OpenSandbox behind the backend seam: the only code in owctl that talks to an OpenSandbox server. Sandboxes are
 * found by their metadata (project and name); ids come from the observed snapshot, or from a metadata lookup when
 * a command did not observe. Create waits until the sandbox is Running. Secrets go only into the create request's
 * env (how OpenSandbox hands env to a sandbox) and the API key header.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Backend, ServerAddress } from '../apply/backend.ts';
import { runPool } from '../apply/pool.ts';
import { OwctlError } from '../errors.ts';
import type { BackendSpec, DesiredSandbox, DesiredState, MountSpec } from '../model/desired.ts';
import { guestEnv } from '../model/desired.ts';
import { LABEL_PROJECT, OWCTL_LABEL_PREFIX } from '../model/labels.ts';
import type { ObservedSandbox } from '../model/observed.ts';
import { serverPortOf, type ServerPortSource } from '../model/server-port.ts';
import { OPENSANDBOX_CAPABILITIES } from './capabilities.ts';
import { DEAD_STATES, notRunning } from './liveness.ts';
import { capabilitiesFor, HOST_NETWORK_REASON, isSharedHostAddress } from './network-mode.ts';
import { OpenSandboxClient } from './client.ts';
import { createMetadata, META_MAX_DURATION, META_NAME, observedOf, owctlMetadata } from './metadata.ts';
import { CREATION_KEYS } from './egress-metadata.ts';
import { isAccessRecordKey } from '../model/access-record.ts';
import { readEgress, syncPolicy, verifyVault, writeVault, type EgressContext } from './egress-ops.ts';
import { credentialProxyOf, fakeEnv, networkPolicyOf } from './egress-request.ts';
import { readGuestVariables } from './guest-env.ts';
import type { WireCreate, WireSandbox, WireVolume } from './wire.ts';

const POLL_MS = 250;
/** While verification waits, how often the sandbox's state is read (a command that exits turns it Failed). */
const DOWN_POLL_MS = 500;

type Spec = Extract<BackendSpec, { type: 'opensandbox' }>;

export interface OpenSandboxBackendOptions {
  spec: Spec;
  desired: DesiredState;
  /** Token values and the API key, redacted from anything the server sends back. */
  secrets: string[];
}

function volumeOf(mount: MountSpec, index: number): WireVolume {
  const name = `v${index}`;
  if (mount.type === 'bind') return { name, host: { path: mount.source }, mountPath: mount.target, readOnly: mount.readonly };
  if (mount.type === 'volume') return { name, pvc: { claimName: mount.source }, mountPath: mount.target, readOnly: mount.readonly };
  throw new OwctlError('config.invalid', `tmpfs mount ${mount.target} has no OpenSandbox equivalent`, { hint: 'remove it (owctl validate reports it)' });
}

/** The create request: image, command, resources (Kubernetes quantities), expiry, env (with the tokens), metadata. */
export function createRequest(project: string, sandbox: DesiredSandbox, spec: Spec, salt: string): WireCreate {
  const body: WireCreate = {
    image: { uri: sandbox.image.ref },
    entrypoint: sandbox.command ?? [],
    resourceLimits: { cpu: String(sandbox.cpus), memory: `${sandbox.memoryMib}Mi` },
    timeout: sandbox.maxDurationSecs ?? null,
    // Each credential's guest variable holds a fake value; the value itself goes only to the vault, after create.
    env: { ...guestEnv(sandbox), ...fakeEnv(sandbox) },
    metadata: createMetadata(project, sandbox, salt),
  };
  const networkPolicy = networkPolicyOf(sandbox);
  if (networkPolicy !== undefined) body.networkPolicy = networkPolicy;
  const credentialProxy = credentialProxyOf(sandbox);
  if (credentialProxy !== undefined) body.credentialProxy = credentialProxy;
  if (sandbox.mounts.length > 0) body.volumes = sandbox.mounts.map(volumeOf);
  if (spec.renewOnAccess && sandbox.idleTimeoutSecs !== undefined) body.extensions = { 'access.renew.extend.seconds': String(sandbox.idleTimeoutSecs) };
  return body;
}

export function openSandboxBackend(options: OpenSandboxBackendOptions): Backend {
  const { spec, desired } = options;
  const client = new OpenSandboxClient({ url: spec.url, apiKey: spec.apiKey, timeoutMs: spec.requestTimeoutSecs * 1000, secrets: options.secrets });
  const credentialValues = desired.sandboxes.flatMap((s) => Object.values(s.credentials ?? {}).map((c) => c.value));
  const egress: EgressContext = { client, timeoutMs: spec.requestTimeoutSecs * 1000, secrets: [...options.secrets, ...credentialValues] };
  const declared = new Map(desired.sandboxes.map((s) => [s.name, s]));
  const known = new Map<string, WireSandbox>();
  const idsByName = new Map<string, string[]>();

  /** The ids of a name: the observed ones, else a metadata lookup (commands that do not observe first). */
  const idsOf = async (name: string): Promise<string[]> => {
    const seen = idsByName.get(name);
    if (seen !== undefined) return seen;
    const found = await client.list({ [LABEL_PROJECT]: desired.project, [META_NAME]: name });
    for (const wire of found) known.set(wire.id, wire);
    const ids = found.map((w) => w.id).sort();
    idsByName.set(name, ids);
    return ids;
  };
  const idFor = async (name: string, instance?: string): Promise<string> => {
    if (instance !== undefined) return instance;
    const [first] = await idsOf(name);
    if (first === undefined) throw new OwctlError('opensandbox.not_found', `no OpenSandbox sandbox carries project "${desired.project}" and name "${name}"`, { hint: 'create it with `owctl apply`' });
    return first;
  };
  const waitRunning = async (id: string, name: string, timeoutSecs: number): Promise<WireSandbox> => {
    const deadline = Date.now() + timeoutSecs * 1000;
    for (;;) {
      const wire = await client.get(id);
      known.set(id, wire);
      if (wire.status.state === 'Running') return wire;
      if (DEAD_STATES.has(wire.status.state) || Date.now() > deadline) throw notRunning(name, wire, timeoutSecs);
      await sleep(POLL_MS);
    }
  };
  /** The endpoint of the server's guest port (`server.port`, or the port recorded on a live sandbox). */
  const address = async (sandbox: ServerPortSource & { name: string }, id: string): Promise<ServerAddress> => {
    const answer = await client.endpoint(id, serverPortOf(sandbox), sandbox.name);
    // The endpoint has no scheme; its shape depends on the runtime (host:port, host/id/port, …).
    const url = /^https?:\/\//.test(answer.endpoint) ? answer.endpoint : `http://${answer.endpoint}`;
    return { url: url.replace(/\/+$/, ''), headers: answer.headers ?? {} };
  };

  /** Host networking, seen from the endpoint of the first sandbox that holds its port (a paused one still does). */
  const sharesAddress = async (sandboxes: ObservedSandbox[]): Promise<boolean> => {
    const running = sandboxes.find((s) => (s.status === 'Running' || s.status === 'Paused') && s.id !== undefined);
    if (running === undefined) return false;
    const answer = await client.endpoint(running.id!, serverPortOf(running), running.name);
    return isSharedHostAddress(answer.endpoint, serverPortOf(running));
  };

  return {
    capabilities: OPENSANDBOX_CAPABILITIES,
    async observe(_desired, request) {
      const listed = await client.list({ [LABEL_PROJECT]: desired.project });
      const sandboxes: ObservedSandbox[] = [];
      idsByName.clear();
      for (const wire of listed) {
        known.set(wire.id, wire);
        const observed = observedOf(wire);
        idsByName.set(observed.name, [...(idsByName.get(observed.name) ?? []), wire.id].sort());
        sandboxes.push(observed);
      }
      const probe = request.probe;
      if (probe !== undefined) {
        // One endpoint lookup and one /health probe per running sandbox, at most `parallelism` at once.
        const running = sandboxes.filter((s) => s.status === 'Running');
        await runPool(running, request.parallelism, async (s) => {
          s.server = await address(s, s.id!)
            .then((where) => probe(s, where))
            .catch(() => 'down' as const);
        }, () => false);
      }
      // The egress sidecar's policy and vault of each sandbox made with one, at most `parallelism` at once.
      const withSidecar = sandboxes.filter((s) => known.get(s.id!)?.metadata?.['owctl.dev/egress-sidecar'] === 'true');
      await runPool(withSidecar, request.parallelism, async (s) => {
        s.egress = await readEgress(egress, known.get(s.id!)!, s.egress!, s.name, declared.get(s.name));
      }, () => false);
      sandboxes.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : (a.id ?? '') < (b.id ?? '') ? -1 : 1));
      return { backend: 'local', sandboxes, images: {}, capabilities: capabilitiesFor(await sharesAddress(sandboxes)) };
    },
    async create(sandbox, labels) {
      const project = labels[LABEL_PROJECT] ?? desired.project;
      const body = createRequest(project, sandbox, spec, randomBytes(16).toString('hex'));
      // A replacement carries owctl's access record over (a kept token store keeps the tokens it names).
      const [previous] = idsByName.get(sandbox.name) ?? [];
      Object.assign(body.metadata, accessRecordOf(previous === undefined ? undefined : known.get(previous)?.metadata));
      const created = await client.create(body, sandbox.name).catch((error: unknown) => {
        throw refusedCreate(error, sandbox, body.networkPolicy !== undefined) ?? error;
      });
      known.set(created.id, created);
      // The newest sandbox of a name is the one later lookups (outputs, connect) mean.
      idsByName.set(sandbox.name, [created.id, ...(idsByName.get(sandbox.name) ?? [])]);
      // Docker answers Running at once; Kubernetes answers Pending and gets there when the pod is ready.
      if (created.status.state !== 'Running') await waitRunning(created.id, sandbox.name, Math.max(sandbox.verify.timeoutSecs, spec.requestTimeoutSecs));
      // Credentials reach the vault before verification, and only a vault proven to be this sandbox's own.
      if (Object.keys(sandbox.credentials ?? {}).length > 0) await writeVault(egress, created.id, sandbox);
      return created.id;
    },
    async confirmReplacement(name, created, old) {
      const wire = await client.get(created);
      known.set(created, wire);
      if (wire.status.state !== 'Running') throw notRunning(name, wire);
      const port = serverPortOf(observedOf(wire));
      const mine = (await client.endpoint(created, port, name)).endpoint;
      for (const id of old) {
        const previous = await client.get(id).catch(() => undefined);
        if (previous?.status.state !== 'Running') continue; // a sandbox that does not run answered nothing
        if ((await client.endpoint(id, port, name)).endpoint !== mine) continue;
        throw new OwctlError('opensandbox.shared_address', `${name}: the new sandbox ${created} has the same address as the old one ${id} (${mine}), so verification cannot have proven the new one`, {
          hint: `${HOST_NETWORK_REASON}; run \`owctl apply\` again: its plan replaces by deleting first`,
          details: { id: created, old: id },
        });
      }
    },
    async downReason(name, instance, signal) {
      const id = await idFor(name, instance);
      while (!signal.aborted) {
        const wire = await client.get(id).catch(() => undefined);
        if (wire !== undefined && DEAD_STATES.has(wire.status.state)) return notRunning(name, wire);
        await sleep(DOWN_POLL_MS, signal).catch(() => undefined);
      }
      return undefined;
    },
    async remove(name, instance) {
      const ids = instance !== undefined ? [instance] : await idsOf(name);
      for (const id of ids) {
        await client.remove(id, name);
        known.delete(id);
        idsByName.set(name, (idsByName.get(name) ?? []).filter((other) => other !== id));
      }
    },
    async start(name, instance) {
      const id = await idFor(name, instance);
      await client.resume(id, name);
      await waitRunning(id, name, declared.get(name)?.verify.timeoutSecs ?? spec.requestTimeoutSecs);
    },
    async stop(name, instance) {
      await client.pause(await idFor(name, instance), name);
    },
    async modify(name, patch, _options, instance) {
      const id = await idFor(name, instance);
      const sandbox = declared.get(name);
      if (sandbox === undefined) throw new OwctlError('apply.failed', `"${name}" is not declared in the file`);
      const live = known.get(id) ?? (await client.get(id));
      const meta = live.metadata ?? {};
      // One merge patch: user labels as declared (null removes), owctl's own metadata recomputed (same salt).
      const change: Record<string, string | null> = {};
      for (const key of Object.keys(meta)) if (!key.startsWith(OWCTL_LABEL_PREFIX) && !(key in sandbox.labels)) change[key] = null;
      for (const [key, value] of Object.entries(sandbox.labels)) if (meta[key] !== value) change[key] = value;
      const own = owctlMetadata(desired.project, sandbox, meta['owctl.dev/salt'] ?? randomBytes(16).toString('hex'));
      // The access record is written by its own step (writeLabels), never by an update.
      for (const key of Object.keys(meta)) if (key.startsWith(OWCTL_LABEL_PREFIX) && !(key in own) && !CREATION_KEYS.has(key) && !isAccessRecordKey(key)) change[key] = null;
      // Egress in place: the sidecar's rules, then the vault (a binding needs its host's allow rule first).
      const sidecar = meta['owctl.dev/egress-sidecar'] === 'true';
      if (sidecar) await syncPolicy(egress, id, sandbox, 'add');
      if (meta['owctl.dev/credential-proxy'] === 'true') await writeVault(egress, id, sandbox);
      if (sidecar) await syncPolicy(egress, id, sandbox, 'remove');
      for (const [key, value] of Object.entries(own)) if (meta[key] !== value) change[key] = value;
      if (patch.maxDurationSecs !== undefined) {
        // The expiry is created + max_duration, as on create; renew only ever extends it.
        const expiresAt = new Date(Date.parse(live.createdAt) + patch.maxDurationSecs * 1000).toISOString();
        await client.renew(id, expiresAt, name);
        change[META_MAX_DURATION] = String(patch.maxDurationSecs);
      }
      if (Object.keys(change).length > 0) await client.patchMetadata(id, change, name);
    },
    async serverAddress(sandbox, instance) {
      const id = instance ?? ('id' in sandbox && (sandbox as ObservedSandbox).id !== undefined ? (sandbox as ObservedSandbox).id : (await idsOf(sandbox.name))[0]);
      return id === undefined ? null : address(sandbox, id);
    },
    async readLabels(name, instance) {
      const id = instance ?? (await idsOf(name))[0];
      if (id === undefined) return null;
      const wire = await client.get(id);
      known.set(id, wire);
      return wire.metadata ?? {};
    },
    async writeLabels(name, patch, instance) {
      await client.patchMetadata(await idFor(name, instance), patch, name);
    },
    // Through the sandbox's execd: what a program in the guest finds in its environment (the `credentials` step).
    readGuestVariables: async (name, keys, instance) => readGuestVariables(egress, await idFor(name, instance), name, keys),
    async verifyCredentials(sandbox, instance) {
      const id = instance ?? (await idsOf(sandbox.name))[0];
      return id === undefined ? undefined : verifyVault(egress, id, sandbox);
    },
    // Images live in the server's runtime and it starts the command itself: the executor does not call these.
    inspectImage: async () => null,
    loadImage: async () => unsupported('loading image archives'),
    pullImage: async () => unsupported('pulling images'),
    archiveDigest: async () => null,
    prepareMounts: async () => undefined,
    launchServer: async () => unsupported('launching the server (the server runs the command itself)'),
    // The engine runs (and stops) the server itself; the executor never asks (capabilities.launchesServer is false).
    stopServer: async () => 'the engine stops the OpenWork server itself',
  };
}

/** The server refuses a timeout above its `max_sandbox_timeout_seconds` (400 SANDBOX::INVALID_PARAMETER, the limit in its message). */
function timeoutRefused(error: unknown, sandbox: DesiredSandbox): OwctlError | undefined {
  if (!(error instanceof OwctlError) || error.code !== 'opensandbox.invalid_request' || sandbox.maxDurationSecs === undefined) return undefined;
  if (error.details?.server_code !== 'SANDBOX::INVALID_PARAMETER') return undefined;
  return new OwctlError(error.code, error.message, {
    hint: `max_duration (${sandbox.maxDurationSecs} s) is sent as the sandbox's timeout, which the server caps at its max_sandbox_timeout_seconds (the limit above): lower sandboxes.${sandbox.name}.max_duration, or ask the server's operator to raise the limit`,
    details: error.details,
    cause: error,
  });
}

const EGRESS_HINT =
  'network and credentials make a networkPolicy, which the server enforces with an egress sidecar: its Docker runtime needs network_mode "bridge" (with network_mode=host every sandbox\'s port 18080 is the same address, and the server refuses it) and its [egress].image; run the server so, or remove network and credentials from the file';

/** A refused create, with what the server needs for what the request carried (a timeout, a networkPolicy, or both). */
function refusedCreate(error: unknown, sandbox: DesiredSandbox, networkPolicy: boolean): OwctlError | undefined {
  const timed = timeoutRefused(error, sandbox);
  if (!networkPolicy || !(error instanceof OwctlError) || error.code !== 'opensandbox.invalid_request') return timed;
  return new OwctlError(error.code, error.message, { hint: timed ? `${timed.hint}; or: ${EGRESS_HINT}` : EGRESS_HINT, details: error.details, cause: error });
}

/** owctl's access record in a sandbox's metadata. */
function accessRecordOf(meta: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(meta ?? {}).filter(([key]) => isAccessRecordKey(key)));
}

function unsupported(what: string): never {
  throw new OwctlError('backend.unsupported', `the opensandbox backend does not support ${what}`, { hint: 'this is a bug in owctl: please report it' });
}
