/**
 * The preflight's I/O half: which of the plan's host ports something already holds, and whether the host can boot
 * sandboxes (asked of the backend only when the plan boots one). The verdict itself is the pure src/plan/preflight.ts.
 */
import { createServer } from 'node:net';
import { OwctlError } from '../errors.ts';
import type { Plan } from '../model/plan.ts';
import type { HostFacts, PreflightProblem } from '../model/preflight.ts';
import { boots, imagesToPull, portsToCheck, preflight } from '../plan/preflight.ts';
import { registryOf } from '../model/image-ref.ts';
import { groupProblems, groupSubject } from '../views/preflight-groups.ts';
import type { Snapshot } from './snapshot.ts';

/** Whether binding `bind:port` fails because something holds it (other failures, e.g. EACCES, are not ours to judge). */
function held(bind: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'EADDRINUSE'));
    server.listen({ host: bind, port, exclusive: true }, () => server.close(() => resolve(false)));
  });
}

async function hostFacts(snapshot: Snapshot, plan: Plan): Promise<HostFacts> {
  const booting = plan.changes.some(boots);
  const ports = snapshot.backend.capabilities.backend === 'msb' ? portsToCheck(snapshot.desired, snapshot.observed, plan) : [];
  const [busy, canBoot, unreachable] = await Promise.all([
    Promise.all(ports.map(async (p) => ((await held(p.bind, p.port)) ? p : null))),
    booting && snapshot.observed.backend === 'local' && snapshot.backend.canBoot !== undefined
      ? snapshot.backend.canBoot().catch((error: unknown) => (error instanceof Error ? error.message : String(error)))
      : Promise.resolve(null),
    unreachableRegistries(snapshot, plan),
  ]);
  return { busyPorts: busy.filter((p) => p !== null), canBoot, unreachableRegistries: unreachable };
}

/** The registries of images apply would pull that do not answer (asked in parallel, each bounded). */
async function unreachableRegistries(snapshot: Snapshot, plan: Plan): Promise<string[]> {
  const ask = snapshot.backend.registryAnswers;
  if (ask === undefined) return [];
  const registries = [...new Set(imagesToPull(snapshot.desired, snapshot.observed, plan).map(registryOf))];
  const answers = await Promise.all(registries.map(async (registry) => ((await ask(registry).catch(() => null)) === false ? registry : null)));
  return answers.filter((r) => r !== null);
}

export async function runPreflight(snapshot: Snapshot, plan: Plan): Promise<PreflightProblem[]> {
  if (!plan.changes.some(boots)) return [];
  return preflight(snapshot.desired, snapshot.observed, plan, await hostFacts(snapshot, plan));
}

/** apply refuses up front when the preflight found an error: nothing has changed yet. Identical problems are one. */
export function refusePreflight(problems: PreflightProblem[]): void {
  const errors = problems.filter((p) => p.severity === 'error');
  if (errors.length === 0) return;
  const groups = groupProblems(errors);
  const said = (group: (typeof groups)[number]) => `${groupSubject(group) ? `${groupSubject(group)}: ` : ''}${group.message}`;
  const [first, ...rest] = groups;
  const more = rest.length > 0 ? ` (and ${rest.map(said).join('; ')})` : '';
  throw new OwctlError('plan.preflight', `refusing to apply, nothing was changed: ${said(first!)}${more}`, {
    hint: first!.hint,
    details: { problems: errors },
  });
}
