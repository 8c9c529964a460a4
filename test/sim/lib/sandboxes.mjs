// Sandbox lifecycle shared by the commands: lookups, booting and stopping. State changes happen under the lock; the
// slow parts (a boot delay, killing a workload) happen between two short locked sections.
import { secretProblem } from './network.mjs';
import { rmSync } from 'node:fs';
import { failedBootStatus } from './v07.mjs';
import { sandboxDir } from './home.mjs';
import { fail } from './errors.mjs';
import { appendSystem, clearBootError, writeBootError } from './logs-store.mjs';
import { stopGroups } from './processes.mjs';
import { trackedGroups } from './sessions.mjs';
import { superviseLifecycle } from './supervisor-spawn.mjs';
import { withState } from './state.mjs';
import { now } from './time.mjs';
import { bootFailure, bootHints } from './vm.mjs';

export const UP = new Set(['Starting', 'Running', 'Draining', 'Paused']);

export function getSandbox(state, name) {
  const record = state.sandboxes[name];
  if (!record) throw fail(`sandbox not found: ${name}`);
  return record;
}

/** Port mappings held by the other sandboxes whose VMs are up. */
export function busyPorts(state, except) {
  return Object.values(state.sandboxes)
    .filter((record) => record.name !== except && UP.has(record.status))
    .flatMap((record) => (record.active_config ?? record.config).network.ports);
}

/**
 * Boots sandbox `name` (recorded, not up). Returns null when it is Running, else the failure (the row is Stopped,
 * or removed together with `rollbackVolumes` when those were created for this boot — msb's create does that).
 */
export async function boot(home, name, env, rollbackVolumes = [], { fromCreate = false } = {}) {
  const { config, busy, secretError } = withState(home, (state) => {
    const record = getSandbox(state, name);
    // msb resolves the secrets' values from its own environment before it spawns the sandbox process.
    const secretError = secretProblem(record.config, env);
    if (secretError !== null) {
      if (record.status === 'Starting') record.status = 'Stopped';
      return { secretError };
    }
    for (const mount of record.config.mounts) {
      if (mount.type === 'Named' && !state.volumes[mount.name]) throw fail(`volume not found: ${mount.name}`);
    }
    record.status = 'Starting';
    record.bootPid = process.pid;
    record.updated_at = now();
    return { config: record.config, busy: busyPorts(state, name), secretError: null };
  });
  if (secretError !== null) throw fail(secretError);
  clearBootError(home, name);
  appendSystem(home, name, `INFO microsandbox_runtime::vm: sandbox starting sandbox=${name}`);
  const failure = await bootFailure(name, config, busy, env);
  withState(home, (state) => {
    const record = state.sandboxes[name];
    if (!record) return;
    delete record.bootPid;
    record.updated_at = now();
    if (failure === null) {
      record.status = 'Running';
      record.active_config = structuredClone(record.config);
      record.pending_changes = [];
      record.processes ??= [];
      // A new run: no exec session is open, guest /tmp (a tmpfs) is empty, the idle and max-duration clocks restart.
      record.sessions = {};
      record.pidfiles = {};
      record.bootId = (record.bootId ?? 0) + 1;
      record.bootedAt = Date.now();
      record.activityAt = record.bootedAt;
      return;
    }
    record.status = failedBootStatus();
    record.active_config = null;
    if (rollbackVolumes.length > 0) {
      delete state.sandboxes[name];
      for (const volume of rollbackVolumes) delete state.volumes[volume];
    }
  });
  if (failure === null) {
    appendSystem(home, name, 'INFO simulator: guest agent ready (idle VM: nothing listens until a workload is exec\'d)');
    superviseLifecycle(home, name);
  }
  else if (rollbackVolumes.length > 0) rmSync(sandboxDir(home, name), { recursive: true, force: true });
  else {
    writeBootError(home, name, failure, bootHints(name, failure));
    // msb logs this line for boots of an existing sandbox, not for the first boot of a create.
    if (!fromCreate) appendSystem(home, name, `sandbox error: ${failure.message}`);
  }
  return failure;
}

/**
 * Stops sandbox `name` if it is up, the way msb stop and the idle/max-duration drains do: SIGTERM to the workloads of
 * still-open exec sessions only, then SIGKILL to everything (see processes.mjs). `reason` is logged like msb's runtime
 * (crates/runtime/lib/vm.rs) logs a drain: `idle` and `max-duration` lines are msb's own texts.
 */
export async function stop(home, name, reason = 'stop') {
  const groups = withState(home, (state) => {
    const record = getSandbox(state, name);
    if (!UP.has(record.status)) return null;
    record.status = 'Draining';
    record.bootPid = process.pid;
    record.updated_at = now();
    return { tracked: trackedGroups(record), all: record.processes ?? [], config: record.config };
  });
  if (groups === null) return;
  const { idle_timeout_secs: idle, max_duration_secs: max } = groups.config.lifecycle;
  if (reason === 'idle') appendSystem(home, name, `INFO microsandbox_runtime::vm: sandbox idle, requesting guest shutdown idle_secs=${idle} active_exec_sessions=0`);
  if (reason === 'max-duration') appendSystem(home, name, `INFO microsandbox_runtime::vm: max duration ${max}s exceeded, triggering exit`);
  await stopGroups(groups.tracked, groups.all);
  withState(home, (state) => {
    const record = state.sandboxes[name];
    if (!record) return;
    delete record.bootPid;
    record.status = 'Stopped';
    record.active_config = null;
    record.processes = [];
    record.sessions = {};
    record.updated_at = now();
  });
  appendSystem(home, name, 'INFO simulator: sandbox stopped');
}

/** Deletes the record and its folder (logs). The caller has checked it is not up. */
export function forget(home, state, name) {
  delete state.sandboxes[name];
  rmSync(sandboxDir(home, name), { recursive: true, force: true });
}

/** Names selected by explicit NAMES plus every sandbox carrying all `--label K=V` (exact, AND). */
export function selectNames(state, names, labelArgs) {
  const selected = [...names];
  if (labelArgs.length > 0) {
    for (const record of sortedBySeqDesc(state)) {
      if (matchesLabels(record, labelArgs) && !selected.includes(record.name)) selected.push(record.name);
    }
  }
  return selected;
}

export function matchesLabels(record, labelArgs) {
  return labelArgs.every((text) => {
    const eq = text.indexOf('=');
    const [key, value] = eq < 0 ? [text, ''] : [text.slice(0, eq), text.slice(eq + 1)];
    return record.config.labels[key] === value;
  });
}

export function sortedBySeqDesc(state) {
  return Object.values(state.sandboxes).sort((a, b) => b.seq - a.seq);
}
