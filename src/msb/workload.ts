/**
 * The OpenWork server's life in the guest: launching it so that it outlives the `msb exec` that started it, and
 * asking it to stop before msb stops the VM. Facts from microsandbox's sources (agentd's session.rs and process.rs,
 * the runtime's stop path):
 * - msb 0.6.18's `create` boots an idle VM (it never runs ENTRYPOINT/CMD) and `exec` has no detach flag;
 * - while an exec session is open, a signal, a host disconnect or `--timeout` kills the session's whole process
 *   group; the session ends once its direct child has exited and stdout/stderr reach EOF;
 * - `msb stop` and the idle/max-duration drains SIGTERM only still-open exec sessions, then kill(-1, SIGKILL): a
 *   server that outlived its exec never gets a SIGTERM from msb.
 * So the launch puts the server in its own session (setsid), with stdin from /dev/null and its output in a guest
 * file, and records its pid; the graceful stop sends it SIGTERM through `msb exec` and waits, bounded.
 * The guest env already holds the tokens (from the sandbox config): nothing secret is on these command lines.
 *
 * The msb simulator used in tests recognises these exact scripts (test/sim/lib/guest.mjs): change both together.
 */

/** Guest path the server's stdout and stderr are appended to. */
export const WORKLOAD_LOG = '/tmp/openwork-server.log';

/** Guest path holding the server's pid (guest /tmp: gone on the next boot, like the server). */
export const WORKLOAD_PIDFILE = '/tmp/openwork-server.pid';

/** `sh -c WORKLOAD_LAUNCH_SCRIPT ARGV…`: $0 and $@ are the server's argv. */
export const WORKLOAD_LAUNCH_SCRIPT = `setsid "$0" "$@" </dev/null >>${WORKLOAD_LOG} 2>&1 & echo $! >${WORKLOAD_PIDFILE}`;

/**
 * `sh -c SERVER_STOP_SCRIPT WAIT_SECS`: SIGTERM to the recorded server's process group (it leads its own session,
 * so OpenCode under it gets the signal too), then waits up to WAIT_SECS for it to exit.
 * Exit 0: it exited; 3: no live server recorded (nothing to stop); 4: still running after the wait.
 */
export const SERVER_STOP_SCRIPT =
  `p=$(cat ${WORKLOAD_PIDFILE} 2>/dev/null) || exit 3; kill -0 "$p" 2>/dev/null || exit 3; ` +
  'kill -TERM -- "-$p" 2>/dev/null || kill -TERM "$p" 2>/dev/null || exit 3; ' +
  'i=0; n=$(($0 * 5)); d=0.2; sleep $d 2>/dev/null || { n=$0; d=1; }; ' +
  'while kill -0 "$p" 2>/dev/null; do [ "$i" -ge "$n" ] && exit 4; sleep $d; i=$((i + 1)); done; ' +
  `rm -f ${WORKLOAD_PIDFILE}; exit 0`;

/** How long the graceful stop waits for the server before msb stops the VM anyway. */
export const SERVER_STOP_WAIT_SECS = 10;

export type ServerStopOutcome = 'stopped' | 'not-running' | 'timed-out';

export function workloadLaunchArgs(name: string, argv: readonly string[]): string[] {
  return ['exec', name, '--', '/bin/sh', '-c', WORKLOAD_LAUNCH_SCRIPT, ...argv];
}

/** How much longer than its wait the whole graceful stop may take (msb exec's start included). */
export const SERVER_STOP_SLACK_SECS = 10;

/** `--timeout` bounds the exec itself, a little past the script's own wait (and before SERVER_STOP_SLACK_SECS). */
export function serverStopArgs(name: string, waitSecs: number): string[] {
  return ['exec', '--timeout', `${waitSecs + SERVER_STOP_SLACK_SECS / 2}s`, name, '--', '/bin/sh', '-c', SERVER_STOP_SCRIPT, String(waitSecs)];
}

export function serverStopOutcome(exitCode: number): ServerStopOutcome | null {
  return exitCode === 0 ? 'stopped' : exitCode === 3 ? 'not-running' : exitCode === 4 ? 'timed-out' : null;
}
