/**
 * The planner: a pure function of (desired, observed). No driver, no clock, no prompt, no I/O.
 * Every change carries its cause (compose's reconciler, Terraform's action_reason).
 */
import { configHash, parseAppliedRecord } from '../model/applied.ts';
import { MSB_CAPABILITIES, type BackendCapabilities } from '../model/capabilities.ts';
import type { DesiredSandbox, DesiredState } from '../model/desired.ts';
import { guestEnv, secretEnvKeys } from '../model/desired.ts';
import { LABEL_APPLIED, LABEL_CONFIG_HASH, LABEL_PROJECT, LABEL_PROTECT } from '../model/labels.ts';
import type { ObservedSandbox, ObservedState } from '../model/observed.ts';
import type { Action, Change, Conflict, FieldChange, Plan } from '../model/plan.ts';
import { ACTIONS } from '../model/plan.ts';
import { compareEgress, egressCreationFields } from './egress-fields.ts';
import { compareInPlaceFields, compareReplaceFields, describeMount, describePort } from './fields.ts';
import { formatDuration, formatSize } from '../model/units.ts';
import { SENSITIVE } from '../model/plan.ts';
import { withAccess } from './access.ts';
import { accessRecordOf } from '../model/access-record.ts';

const UP: ReadonlySet<string> = new Set(['Running', 'Starting']);

function summarize(changes: Change[]): Record<Action, number> {
  const summary = Object.fromEntries(ACTIONS.map((action) => [action, 0])) as Record<Action, number>;
  for (const change of changes) summary[change.action] += 1;
  return summary;
}

/** Every attribute of a sandbox about to be created, as `+` lines. */
function creationFields(sandbox: DesiredSandbox, caps: BackendCapabilities): FieldChange[] {
  const added = (path: string, after: unknown, sensitive = false): FieldChange => ({
    path,
    before: null,
    after: sensitive ? SENSITIVE : after,
    sensitive,
    disposition: 'replace',
    origin: 'file',
  });
  const fields = [
    added('image', sandbox.image.ref),
    added('pull', sandbox.pull),
    added('resources.cpus', sandbox.cpus),
    added('resources.memory', formatSize(sandbox.memoryMib)),
    ...sandbox.mounts.map((m) => added(`mounts[${m.target}]`, describeMount(m))),
    ...sandbox.ports.map((p) => added(`ports[${p.bind}:${p.host}/${p.protocol}]`, describePort(p))),
    ...Object.keys(sandbox.env).sort().map((k) => added(`env.${k}`, sandbox.env[k], sandbox.sensitiveEnv.includes(k))),
    added(`env.${sandbox.tokens.clientEnv}`, sandbox.tokens.client, true),
    added(`env.${sandbox.tokens.hostEnv}`, sandbox.tokens.host, true),
    ...Object.keys(sandbox.labels).sort().map((k) => added(`labels.${k}`, sandbox.labels[k])),
  ];
  if (sandbox.command) fields.push(added('command', sandbox.command.join(' ')));
  if (sandbox.idleTimeoutSecs !== undefined) fields.push(added('idle_timeout', formatDuration(sandbox.idleTimeoutSecs)));
  if (sandbox.maxDurationSecs !== undefined) fields.push(added('max_duration', formatDuration(sandbox.maxDurationSecs)));
  return [...fields, ...egressCreationFields(sandbox, caps)];
}

function change(sandbox: string, action: Action, reason: string, extra: Partial<Change> = {}): Change {
  return { sandbox, action, reason, fields: [], unchanged: 0, restart: false, start: false, blocked: false, ...extra };
}

const DOWN: ReadonlySet<string> = new Set(['Stopped', 'Crashed']);

function planDeclared(desired: DesiredSandbox, live: ObservedSandbox, caps: BackendCapabilities, instances: string[] | undefined, options: PlanOptions): Change {
  const applied = parseAppliedRecord(live.labels[LABEL_APPLIED]);
  const liveHash = live.labels[LABEL_CONFIG_HASH];
  let unchangedInFile: boolean | undefined;
  const attribution = { replaceFieldsUnchangedInFile: () => (unchangedInFile ??= liveHash !== undefined && liveHash === configHash(desired)), applied };
  const replace = compareReplaceFields(desired, live, attribution, caps);
  const inPlace = compareInPlaceFields(desired, live, guestEnv(desired), secretEnvKeys(desired), attribution, caps);
  const egress = compareEgress(desired, live, caps);
  inPlace.fields.push(...egress.fields);
  inPlace.unchanged += egress.unchanged;
  const protectLive = live.labels[LABEL_PROTECT] === 'true';
  if (protectLive !== desired.protect) {
    inPlace.fields.push({ path: 'protect', before: protectLive, after: desired.protect, sensitive: false, disposition: caps.inPlace.protect, origin: 'file' });
  } else inPlace.unchanged += 1;
  const running = UP.has(live.status);
  const duplicates = instances !== undefined && instances.length > 1;
  const base = { status: live.status, unchanged: replace.unchanged + inPlace.unchanged, ...(instances ? { instances } : {}) };
  const all = [...replace.fields, ...inPlace.fields];
  const others = duplicates ? `; all ${instances!.length} live sandboxes carrying this name are deleted after` : '';
  const replacement = (why: string) =>
    caps.createBeforeDestroy
      ? change(desired.name, 'replace', `must be replaced (${why}); a new sandbox is created and verified, then the old one deleted (its address changes)${others}`, {
          ...base,
          fields: all,
          start: true,
          blocked: desired.protect || protectLive,
          create_first: true,
        })
      : change(desired.name, 'replace', `must be replaced (${why}); ${deleteFirst(caps)}`, { ...base, fields: all, start: true, blocked: desired.protect || protectLive });

  const forcing = all.filter((f) => f.disposition === 'replace');
  if (forcing.length > 0) {
    const tokenPaths = new Set([`env.${desired.tokens.clientEnv}`, `env.${desired.tokens.hostEnv}`]);
    const reasons = [...new Set(forcing.map((f) => (tokenPaths.has(f.path) ? 'tokens' : f.path.replace(/\[.*\]$/, ''))))].join(', ');
    return replacement(`${reasons} cannot change in place`);
  }
  // An engine that runs the server itself cannot relaunch it, and may not restart a stopped sandbox: a new one.
  if (!caps.restartable && DOWN.has(live.status)) return replacement(`it is ${live.status} and this engine cannot start it again`);
  if (!caps.launchesServer && running && live.server === 'down') return replacement('its OpenWork server or the OpenCode behind it does not answer, and this engine cannot relaunch the server');
  const heal = duplicates ? { heal: true } : {};
  const healing = duplicates ? `; ${instances!.length} live sandboxes carry this name: the first that verifies is kept, the others deleted` : '';
  // Fields compared as replace-fields may still land in place on some engines (a longer expiry is a renew).
  const inPlaceFields = all.filter((f) => f.disposition !== 'replace');
  if (inPlaceFields.length > 0) {
    const restart = running && inPlaceFields.some((f) => f.disposition === 'restart');
    const how = restart ? 'restarts the running sandbox' : running ? 'no downtime' : `then started (it is ${live.status})`;
    return change(desired.name, 'update', `will be updated in place (${how})${healing}`, {
      ...base,
      ...heal,
      fields: inPlaceFields,
      restart,
      start: restart || !running,
    });
  }
  if (duplicates) return change(desired.name, 'update', `is up to date${healing}`, { ...base, ...heal, start: !running });
  if (!running && live.stoppedBy !== undefined && options.wake !== true) {
    // Stopped by its own policy, as declared: in sync, not drift. `apply --wake` starts it.
    return change(desired.name, 'noop', `is asleep (msb stopped it at its ${live.stoppedBy}); \`owctl apply --wake\` starts it`, {
      ...base,
      asleep: live.stoppedBy,
    });
  }
  if (!running) {
    const why = live.stoppedBy !== undefined ? `asleep (stopped at its ${live.stoppedBy})` : live.status;
    return change(desired.name, 'start', `is ${why}; will be started and its server launched`, { ...base, start: true });
  }
  if (live.server === 'down') {
    return change(desired.name, 'start', 'is Running but its OpenWork server or the OpenCode behind it does not answer; the server will be relaunched', {
      ...base,
      start: true,
    });
  }
  return change(desired.name, 'noop', 'is up to date', base);
}

/** Live sandboxes by name; several per name only on engines whose key is not the name. Preferred (Running, then by id) first. */
function byName(observed: ObservedState): Map<string, ObservedSandbox[]> {
  const groups = new Map<string, ObservedSandbox[]>();
  for (const sandbox of observed.sandboxes) groups.set(sandbox.name, [...(groups.get(sandbox.name) ?? []), sandbox]);
  const rank = (s: ObservedSandbox) => (s.status === 'Running' && s.server !== 'down' ? 0 : s.status === 'Running' ? 1 : UP.has(s.status) ? 2 : 3);
  for (const group of groups.values()) group.sort((a, b) => rank(a) - rank(b) || ((a.id ?? '') < (b.id ?? '') ? -1 : 1));
  return groups;
}

function instanceIds(group: ObservedSandbox[]): string[] | undefined {
  const ids = group.flatMap((s) => (s.id === undefined ? [] : [s.id]));
  return ids.length === 0 ? undefined : ids;
}

/** A delete-first replacement, with the cause of its downtime when the engine could otherwise create first. */
function deleteFirst(caps: BackendCapabilities): string {
  return caps.deleteFirstBecause === undefined ? 'destroy, then create' : `destroy, then create (downtime until the new one verifies: ${caps.deleteFirstBecause})`;
}

/** `--replace NAME`: an owned, declared sandbox replaced although nothing forces it (a wedged server, a bad guest). */
function replacedOnRequest(desired: DesiredSandbox, live: ObservedSandbox, planned: Change, caps: BackendCapabilities): Change {
  if (planned.action === 'replace') return { ...planned, reason: `${planned.reason}; also requested` };
  const how = caps.createBeforeDestroy ? 'a new sandbox is created and verified, then the old one deleted (its address changes)' : deleteFirst(caps);
  return change(desired.name, 'replace', `will be replaced, as requested (--replace); ${how}`, {
    status: planned.status,
    unchanged: planned.unchanged,
    fields: planned.fields,
    start: true,
    blocked: desired.protect || live.labels[LABEL_PROTECT] === 'true',
    ...(planned.instances ? { instances: planned.instances } : {}),
    ...(caps.createBeforeDestroy ? { create_first: true } : {}),
  });
}

function conflictFor(project: string, live: ObservedSandbox): Conflict {
  const owner = live.labels[LABEL_PROJECT] ?? null;
  const held = owner === null ? 'a sandbox not managed by owctl' : `a sandbox of owctl project "${owner}"`;
  return {
    sandbox: live.name,
    owner,
    message: `the name "${live.name}" is held by ${held}, not by project "${project}"; owctl never touches sandboxes it does not own`,
  };
}

export interface PlanOptions {
  /** Declared sandboxes to replace even when up to date (`--replace NAME`). */
  replace?: readonly string[];
  /** Start sandboxes that msb's idle-timeout or max-duration policy stopped (otherwise they are left asleep). */
  wake?: boolean;
  /** `--rotate`: new tokens for every person of `NAME`, or for `NAME/PERSON`. */
  rotate?: readonly string[];
}

export function plan(desired: DesiredState, observed: ObservedState, options: PlanOptions = {}): Plan {
  const replace = new Set(options.replace ?? []);
  const rotate = new Set(options.rotate ?? []);
  const caps = observed.capabilities ?? MSB_CAPABILITIES;
  const live = byName(observed);
  const declared = new Set(desired.sandboxes.map((sandbox) => sandbox.name));
  const changes: Change[] = [];
  const conflicts: Conflict[] = [];

  for (const sandbox of desired.sandboxes) {
    const group = live.get(sandbox.name) ?? [];
    const owned = group.filter((s) => s.labels[LABEL_PROJECT] === desired.project);
    const current = owned[0] ?? group[0];
    if (current === undefined) {
      changes.push(withAccess(desired.project, change(sandbox.name, 'create', 'will be created', { fields: creationFields(sandbox, caps), start: true }), sandbox, undefined, rotate, caps));
    } else if (current.labels[LABEL_PROJECT] !== desired.project) {
      conflicts.push(conflictFor(desired.project, current));
    } else {
      // Sandboxes of other owners that carry the same name are theirs: never compared, healed or deleted.
      const planned = planDeclared(sandbox, current, caps, instanceIds(owned), options);
      const decided = replace.has(sandbox.name) ? replacedOnRequest(sandbox, current, planned, caps) : planned;
      changes.push(withAccess(desired.project, decided, sandbox, current.access, rotate, caps, accessRecordOf(current.labels)));
    }
  }
  for (const [name, group] of live) {
    const owned = group.filter((s) => s.labels[LABEL_PROJECT] === desired.project);
    if (declared.has(name) || owned.length === 0) continue;
    const blocked = owned.some((s) => s.labels[LABEL_PROTECT] === 'true');
    const instances = instanceIds(owned);
    changes.push(
      change(name, 'delete', 'will be destroyed (it is no longer in the file)', { status: owned[0]!.status, blocked, ...(instances ? { instances } : {}) }),
    );
  }
  changes.sort((a, b) => (a.sandbox < b.sandbox ? -1 : a.sandbox > b.sandbox ? 1 : 0));
  conflicts.sort((a, b) => (a.sandbox < b.sandbox ? -1 : 1));
  return { project: desired.project, changes, conflicts, summary: summarize(changes) };
}
