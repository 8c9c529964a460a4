/**
 * One read-only snapshot of live state, so the planner compares desired with reality without further msb calls:
 * `context`, one `ls --label owctl.dev/project=<project>`, then — in parallel, bounded — `inspect` of every
 * listed sandbox and of every declared name that was not listed (a sandbox holding a declared name without this
 * project's label is a conflict the planner must see), `image inspect` of each distinct declared image, and the
 * optional server probe of running sandboxes, and the system log of a stopped sandbox that has an idle timeout or a
 * max duration (did msb's own policy stop it?). Nothing else.
 */
import { OwctlError } from '../errors.ts';
import type { DesiredState } from '../model/desired.ts';
import { LABEL_PROJECT } from '../model/labels.ts';
import type { ObservedImage, ObservedSandbox, ObservedState, ServerHealth, StopCause } from '../model/observed.ts';
import type { BackendContext, Msb } from './driver.ts';
import { mapLimit } from './map-limit.ts';
import { withoutImplicitTmp } from './normalize.ts';

export interface ObserveOptions {
  /** Most msb calls (and probes) in flight at once. */
  parallelism: number;
  /** Health of the OpenWork server of a Running sandbox; a probe that throws counts as `down`. */
  probe?: (sandbox: ObservedSandbox) => Promise<ServerHealth>;
  /** `msb context`, when the caller started it early (e.g. while the file was being loaded). */
  context?: Promise<BackendContext>;
}

type Task = { kind: 'sandbox'; name: string } | { kind: 'image'; ref: string };

export async function observe(msb: Msb, desired: DesiredState, options: ObserveOptions): Promise<ObservedState> {
  // Context first: on the cloud backend even `ls` goes to a remote API, `inspect` answers in another shape and there
  // is no `image inspect` or `modify`; stop before any of that.
  const context = await (options.context ?? msb.context());
  if (context.kind !== 'local') {
    throw new OwctlError('msb.unsupported_backend', `msb's active backend is ${context.kind} (${context.source}); owctl manages local sandboxes only`, {
      hint: 'select the local backend: unset MSB_BACKEND / MSB_PROFILE (`msb context` shows why cloud is active)',
      details: { backend: context.kind, source: context.source },
    });
  }
  const listed = await msb.list({ [LABEL_PROJECT]: desired.project });
  const names = [...new Set([...listed.map((row) => row.name), ...desired.sandboxes.map((s) => s.name)])].sort();
  const refs = [...new Set(desired.sandboxes.map((s) => s.image.ref))].sort();
  const tasks: Task[] = [...names.map((name) => ({ kind: 'sandbox', name }) as const), ...refs.map((ref) => ({ kind: 'image', ref }) as const)];

  const sandboxes: ObservedSandbox[] = [];
  const images: Record<string, ObservedImage | null> = {};
  await mapLimit(tasks, options.parallelism, async (task) => {
    if (task.kind === 'image') {
      images[task.ref] = await msb.imageInspect(task.ref);
      return;
    }
    const sandbox = await msb.inspect(task.name);
    if (sandbox === null) return; // declared but absent, or removed since `ls`
    const declared = desired.sandboxes.find((s) => s.name === sandbox.name);
    if (declared !== undefined) sandbox.mounts = withoutImplicitTmp(sandbox.mounts, declared.mounts);
    if (sandbox.status === 'Running' && options.probe !== undefined) sandbox.server = await probeSafely(options.probe, sandbox);
    if (sandbox.status === 'Stopped' && (sandbox.idleTimeoutSecs !== null || sandbox.maxDurationSecs !== null)) {
      const cause = await stopCauseSafely(msb, sandbox.name);
      if (cause !== null) sandbox.stoppedBy = cause;
    }
    sandboxes.push(sandbox);
  });

  sandboxes.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const sortedImages = Object.fromEntries(refs.map((ref) => [ref, images[ref] ?? null]));
  return { backend: context.kind, sandboxes, images: sortedImages };
}

export async function probeSafely(probe: NonNullable<ObserveOptions['probe']>, sandbox: ObservedSandbox): Promise<ServerHealth> {
  try {
    return await probe(sandbox);
  } catch {
    return 'down';
  }
}

/** An unreadable system log means "cause unknown": the sandbox is then planned like any stopped one. */
async function stopCauseSafely(msb: Msb, name: string): Promise<StopCause | null> {
  try {
    return await msb.stopCause(name);
  } catch {
    return null;
  }
}
