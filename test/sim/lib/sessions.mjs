// Exec sessions and idle activity, as msb's guest agent and host runtime keep them (microsandbox v0.6.14 sources):
// - crates/agentd/lib/session.rs, process.rs: each `msb exec` runs under setsid() in its own session and process
//   group; the session ends when the direct child has exited and stdout/stderr reach EOF. While it is open, a signal,
//   a host disconnect or `--timeout` kills the session's whole process group (kill(-pgid)).
// - crates/runtime/lib/heartbeat.rs: idle detection counts agent activity and open exec sessions only; an open
//   session is never idle. Published-port traffic never reaches the agent (crates/network/lib/ports/publisher.rs).
// A sandbox record keeps `sessions: {EXEC_PID: [pgid…]}` (the workload groups started inside each open session's
// process group, i.e. not moved out with setsid) and `activityAt` (ms of the last agent activity).
import { groupAlive } from './processes.mjs';
import { withState } from './state.mjs';

/** Opens an exec session for this `msb exec` process; counts as activity. */
export function openSession(home, name) {
  withState(home, (state) => {
    const record = state.sandboxes[name];
    if (!record) return;
    (record.sessions ??= {})[process.pid] = [];
    record.activityAt = Date.now();
  });
}

/** Adds workload group `pgid` to this process's open session (it shares the session's process group). */
export function joinSession(home, name, pgid) {
  withState(home, (state) => {
    const session = state.sandboxes[name]?.sessions?.[process.pid];
    if (session) session.push(pgid);
  });
}

/** Ends this process's session normally: nothing is signalled (members keep running, adopted by PID 1). */
export function closeSession(home, name) {
  withState(home, (state) => {
    const record = state.sandboxes[name];
    if (!record?.sessions?.[process.pid]) return;
    delete record.sessions[process.pid];
    record.activityAt = Date.now();
  });
}

/** Ends this process's session abnormally (signal, host disconnect, --timeout): its whole process group is killed. */
export function killSession(home, name) {
  const members = withState(home, (state) => {
    const record = state.sandboxes[name];
    const session = record?.sessions?.[process.pid];
    if (!session) return [];
    delete record.sessions[process.pid];
    record.activityAt = Date.now();
    return session;
  });
  killAll(members);
}

/** `msb touch` / `ping --touch`: refreshes the idle timer. */
export function touch(record) {
  record.activityAt = Date.now();
}

/** Sessions whose `msb exec` process is gone ended by a host disconnect: their process groups are killed. */
export function reapDisconnected(record, alive) {
  for (const [pid, members] of Object.entries(record.sessions ?? {})) {
    if (alive(Number(pid))) continue;
    delete record.sessions[pid];
    killAll(members);
  }
}

/** Workload groups of the still-open sessions (the "tracked" processes msb stop sends SIGTERM to). */
export function trackedGroups(record) {
  return Object.values(record.sessions ?? {}).flat().filter(groupAlive);
}

function killAll(pgids) {
  for (const pgid of pgids) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
