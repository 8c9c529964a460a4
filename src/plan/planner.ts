/**
 * The planner: a pure function of (desired, observed). No driver, no clock, no prompt, no I/O.
 * Every change carries its cause (compose's reconciler, Terraform's action_reason).
 */
import { configHash, parseAppliedRecord } from '../model/applied.ts';
import type { DesiredSandbox, DesiredState } from '../model/desired.ts';
import { guestEnv, secretEnvKeys } from '../model/desired.ts';
import { LABEL_APPLIED, LABEL_CONFIG_HASH, LABEL_PROJECT, LABEL_PROTECT } from '../model/labels.ts';
import type { ObservedSandbox, ObservedState } from '../model/observed.ts';
import type { Action, Change, Conflict, FieldChange, Plan } from '../model/plan.ts';
import { ACTIONS } from '../model/plan.ts';
import { compareInPlaceFields, compareReplaceFields, describeMount, describePort } from './fields.ts';
import { formatDuration, formatSize } from '../model/units.ts';
import { SENSITIVE } from '../model/plan.ts';

const UP: ReadonlySet<string> = new Set(['Running', 'Starting']);

function summarize(changes: Change[]): Record<Action, number> {
  const summary = Object.fromEntries(ACTIONS.map((action) => [action, 0])) as Record<Action, number>;
  for (const change of changes) summary[change.action] += 1;
  return summary;
}

/** Every attribute of a sandbox about to be created, as `+` lines. */
function creationFields(sandbox: DesiredSandbox): FieldChange[] {
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
    ...Object.keys(sandbox.env).sort().map((k) => added(`env.${k}`, sandbox.env[k])),
    added(`env.${sandbox.tokens.clientEnv}`, sandbox.tokens.client, true),
    added(`env.${sandbox.tokens.hostEnv}`, sandbox.tokens.host, true),
    ...Object.keys(sandbox.labels).sort().map((k) => added(`labels.${k}`, sandbox.labels[k])),
  ];
  if (sandbox.command) fields.push(added('command', sandbox.command.join(' ')));
  if (sandbox.idleTimeoutSecs !== undefined) fields.push(added('idle_timeout', formatDuration(sandbox.idleTimeoutSecs)));
  if (sandbox.maxDurationSecs !== undefined) fields.push(added('max_duration', formatDuration(sandbox.maxDurationSecs)));
  return fields;
}

function change(sandbox: string, action: Action, reason: string, extra: Partial<Change> = {}): Change {
  return { sandbox, action, reason, fields: [], unchanged: 0, restart: false, start: false, blocked: false, ...extra };
}

function planDeclared(desired: DesiredSandbox, live: ObservedSandbox): Change {
  const applied = parseAppliedRecord(live.labels[LABEL_APPLIED]);
  const liveHash = live.labels[LABEL_CONFIG_HASH];
  const attribution = { replaceFieldsUnchangedInFile: liveHash === configHash(desired), applied };
  const replace = compareReplaceFields(desired, live, attribution);
  const inPlace = compareInPlaceFields(desired, live, guestEnv(desired), secretEnvKeys(desired), attribution);
  const protectLive = live.labels[LABEL_PROTECT] === 'true';
  if (protectLive !== desired.protect) {
    inPlace.fields.push({ path: 'protect', before: protectLive, after: desired.protect, sensitive: false, disposition: 'live', origin: 'file' });
  } else inPlace.unchanged += 1;
  const running = UP.has(live.status);
  const base = { status: live.status, unchanged: replace.unchanged + inPlace.unchanged };

  const forcing = [...replace.fields, ...inPlace.fields.filter((f) => f.disposition === 'replace')];
  if (forcing.length > 0) {
    const reasons = [...new Set(forcing.map((f) => (f.sensitive ? 'tokens' : f.path.replace(/\[.*\]$/, ''))))].join(', ');
    return change(desired.name, 'replace', `must be replaced (${reasons} cannot change in place); destroy, then create`, {
      ...base,
      fields: [...replace.fields, ...inPlace.fields],
      start: true,
      blocked: desired.protect || protectLive,
    });
  }
  if (inPlace.fields.length > 0) {
    const restart = running && inPlace.fields.some((f) => f.disposition === 'restart');
    const how = restart ? 'restarts the running sandbox' : running ? 'no downtime' : `then started (it is ${live.status})`;
    return change(desired.name, 'update', `will be updated in place (${how})`, {
      ...base,
      fields: inPlace.fields,
      restart,
      start: restart || !running,
    });
  }
  if (!running) {
    return change(desired.name, 'start', `is ${live.status}; will be started and its server launched`, { ...base, start: true });
  }
  if (live.server === 'down') {
    return change(desired.name, 'start', 'is Running but its OpenWork server does not answer /health; the server will be relaunched', {
      ...base,
      start: true,
    });
  }
  return change(desired.name, 'noop', 'is up to date', base);
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

export function plan(desired: DesiredState, observed: ObservedState): Plan {
  const live = new Map(observed.sandboxes.map((sandbox) => [sandbox.name, sandbox]));
  const declared = new Set(desired.sandboxes.map((sandbox) => sandbox.name));
  const changes: Change[] = [];
  const conflicts: Conflict[] = [];

  for (const sandbox of desired.sandboxes) {
    const current = live.get(sandbox.name);
    if (current === undefined) {
      changes.push(change(sandbox.name, 'create', 'will be created', { fields: creationFields(sandbox), start: true }));
    } else if (current.labels[LABEL_PROJECT] !== desired.project) {
      conflicts.push(conflictFor(desired.project, current));
    } else {
      changes.push(planDeclared(sandbox, current));
    }
  }
  for (const current of observed.sandboxes) {
    if (declared.has(current.name) || current.labels[LABEL_PROJECT] !== desired.project) continue;
    const blocked = current.labels[LABEL_PROTECT] === 'true';
    changes.push(
      change(current.name, 'delete', 'will be destroyed (it is no longer in the file)', { status: current.status, blocked }),
    );
  }
  changes.sort((a, b) => (a.sandbox < b.sandbox ? -1 : a.sandbox > b.sandbox ? 1 : 0));
  conflicts.sort((a, b) => (a.sandbox < b.sandbox ? -1 : 1));
  return { project: desired.project, changes, conflicts, summary: summarize(changes) };
}
