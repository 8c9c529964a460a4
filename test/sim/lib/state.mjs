// The simulator's whole state in one JSON file under MSB_HOME, read and written under the lock:
//   { seq, sandboxes: {NAME: record}, images: {REF: record}, volumes: {NAME: record} }
// A sandbox record is { seq, name, status, config, active_config, pending_changes, created_at, updated_at,
// processes: [pgid…], sessions: {EXEC_PID: [pgid…]}, pidfiles: {GUEST_PATH: pid}, bootId, bootedAt, activityAt,
// bootPid? }.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { lockPath, statePath } from './home.mjs';
import { acquireLock, releaseLock } from './lock.mjs';
import { reapDisconnected } from './sessions.mjs';

function emptyState() {
  return { seq: 0, sandboxes: {}, images: {}, volumes: {} };
}

function readState(home) {
  try {
    return { ...emptyState(), ...JSON.parse(readFileSync(statePath(home), 'utf8')) };
  } catch (error) {
    if (error.code === 'ENOENT') return emptyState();
    throw error;
  }
}

function writeState(home, state) {
  const path = statePath(home);
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(state));
  renameSync(tmp, path);
}

/** Runs `fn(state)` under the lock and saves the state when `fn` changed it. `fn` must be synchronous. */
export function withState(home, fn) {
  mkdirSync(home, { recursive: true });
  const lock = lockPath(home);
  acquireLock(lock);
  try {
    const state = readState(home);
    reconcile(state);
    const before = JSON.stringify(state);
    const result = fn(state);
    if (JSON.stringify(state) !== before) writeState(home, state);
    return result;
  } finally {
    releaseLock(lock);
  }
}

/** A read-only snapshot (still taken under the lock, so never half-written). */
export function snapshot(home) {
  return withState(home, (state) => structuredClone(state));
}

/**
 * A boot whose simulator process died half-way leaves `Starting`: such a sandbox is Stopped. An exec session whose
 * `msb exec` process is gone ended by a host disconnect: its process group is killed (sessions.mjs).
 */
function reconcile(state) {
  for (const record of Object.values(state.sandboxes)) {
    reapDisconnected(record, pidAlive);
    if ((record.status === 'Starting' || record.status === 'Draining') && record.bootPid && !pidAlive(record.bootPid)) {
      record.status = 'Stopped';
      record.active_config = null;
      delete record.bootPid;
    }
  }
}

function pidAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}
