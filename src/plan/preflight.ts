/**
 * The pure preflight: desired × observed × plan × host facts → the problems that would make apply fail. Only
 * changes that boot a sandbox (create, replace, start, or an update that starts or restarts it) can hit them.
 */
import type { DesiredSandbox, DesiredState } from '../model/desired.ts';
import type { ObservedState } from '../model/observed.ts';
import type { Change, Plan } from '../model/plan.ts';
import type { HostFacts, PreflightProblem } from '../model/preflight.ts';
import { LABEL_PROJECT } from '../model/labels.ts';
import { DEMO_COMMAND, registryOf } from '../model/image-ref.ts';

export function boots(change: Change): boolean {
  return change.action === 'create' || change.action === 'replace' || change.action === 'start' || (change.action === 'update' && (change.start || change.restart));
}

/** The host ports a booting sandbox publishes (TCP): the command layer checks whether something holds them. */
export function portsToCheck(desired: DesiredState, observed: ObservedState, plan: Plan): Array<{ bind: string; port: number }> {
  const booting = new Set(plan.changes.filter(boots).map((c) => c.sandbox));
  // Ports our own running sandboxes publish are held by them, not by a stranger.
  const ours = new Set(observed.sandboxes.filter((s) => s.labels[LABEL_PROJECT] === desired.project && s.status === 'Running').flatMap((s) => s.ports.map((p) => p.host)));
  return desired.sandboxes
    .filter((s) => booting.has(s.name))
    .flatMap((s) => s.ports.filter((p) => p.protocol === 'tcp' && !ours.has(p.host)).map((p) => ({ bind: p.bind, port: p.host })));
}

export function preflight(desired: DesiredState, observed: ObservedState, plan: Plan, host: HostFacts): PreflightProblem[] {
  const booting = plan.changes.filter(boots);
  const byName = new Map(desired.sandboxes.map((s) => [s.name, s]));
  const problems: PreflightProblem[] = [];
  for (const change of booting) {
    const sandbox = byName.get(change.sandbox);
    if (sandbox === undefined) continue;
    if (change.action === 'create' || change.action === 'replace') problems.push(...imageProblems(sandbox, observed, host.unreachableRegistries ?? []));
    for (const port of sandbox.ports) {
      if (!host.busyPorts.some((busy) => busy.port === port.host && busy.bind === port.bind)) continue;
      problems.push({
        severity: 'error',
        code: 'port.busy',
        sandbox: sandbox.name,
        message: `host port ${port.bind}:${port.host} is already in use by a process owctl does not manage`,
        hint: `stop that process (\`ss -ltnp 'sport = :${port.host}'\` shows it) or choose another ports[].host for ${sandbox.name}`,
      });
    }
  }
  if (observed.capabilities?.sharedServerPorts === true) problems.push(...sharedPortProblems(desired, new Set(booting.map((c) => c.sandbox))));
  if (booting.length > 0 && host.canBoot === false) {
    problems.push({
      severity: 'error',
      code: 'host.no_cpu_virtualisation',
      message: `this host has no CPU virtualisation: microsandbox cannot boot the ${booting.length === 1 ? 'sandbox' : `${booting.length} sandboxes`} this plan starts`,
      hint: 'run apply on a host with VT-x / AMD-V (enable it in the BIOS/UEFI, or nested virtualisation in a VM); `owctl doctor` shows the check',
    });
  }
  if (booting.length > 0 && typeof host.canBoot === 'string') {
    problems.push({ severity: 'warning', code: 'host.unchecked', message: `could not check whether this host can boot sandboxes: ${host.canBoot}`, hint: 'run `owctl doctor`' });
  }
  return problems;
}

/** On a host-network engine each server port serves one sandbox: a booting one that shares it with another cannot run. */
function sharedPortProblems(desired: DesiredState, booting: ReadonlySet<string>): PreflightProblem[] {
  const first = new Map<number, string>();
  const problems: PreflightProblem[] = [];
  for (const sandbox of desired.sandboxes) {
    const holder = first.get(sandbox.serverPort);
    if (holder === undefined) first.set(sandbox.serverPort, sandbox.name);
    else if (booting.has(sandbox.name) || booting.has(holder)) {
      problems.push({
        severity: 'error',
        code: 'port.shared',
        sandbox: sandbox.name,
        message: `${holder} and ${sandbox.name} both serve on guest port ${sandbox.serverPort}, which this server binds on its own host for every sandbox (host networking): only one of them can run`,
        hint: `give ${sandbox.name} its own server.port (the image must listen there)`,
      });
    }
  }
  return problems;
}

/** Images apply would have to pull (not cached, no archive, a pull policy that allows it). */
export function imagesToPull(desired: DesiredState, observed: ObservedState, plan: Plan): string[] {
  const creating = new Set(plan.changes.filter((c) => c.action === 'create' || c.action === 'replace').map((c) => c.sandbox));
  const refs = desired.sandboxes.filter((s) => creating.has(s.name) && s.image.archive === undefined && pulls(s, observed)).map((s) => s.image.ref);
  return [...new Set(refs)].sort();
}

function pulls(sandbox: DesiredSandbox, observed: ObservedState): boolean {
  return sandbox.pull === 'always' || (sandbox.pull === 'if-missing' && observed.images[sandbox.image.ref] === null);
}

function imageProblems(sandbox: DesiredSandbox, observed: ObservedState, unreachable: readonly string[]): PreflightProblem[] {
  const { ref, archive } = sandbox.image;
  if (archive !== undefined) return [];
  const load = `load it (\`msb load -i FILE -t ${ref}\`) or set image: { ref: ${ref}, archive: ./image.tar }`;
  if (sandbox.pull === 'never' && observed.images[ref] === null) {
    return [{ severity: 'error', code: 'image.not_cached', sandbox: sandbox.name, message: `image ${ref} is not in msb's cache, and pull: never forbids fetching it`, hint: `${load}, or pull: if-missing` }];
  }
  const registry = registryOf(ref);
  if (!pulls(sandbox, observed) || !unreachable.includes(registry)) return [];
  return [
    {
      severity: 'error',
      code: 'image.not_cached',
      sandbox: sandbox.name,
      message: `image ${ref} is ${observed.images[ref] === null ? 'not in msb\'s cache' : 'to be pulled (pull: always)'}, and its registry ${registry} did not answer`,
      hint: `${load}; to try owctl on this host without a registry or virtualisation, \`${DEMO_COMMAND}\` in owctl's folder runs apply, status, connect, verify and destroy with a demo image`,
    },
  ];
}
