/**
 * Starting the OpenWork server in a running sandbox so that it outlives owctl. msb 0.6.18's `create` boots an idle VM
 * (it never runs ENTRYPOINT/CMD) and `exec` has no detach flag, so a shell backgrounds the server with nohup. The
 * guest env already holds the tokens (from the sandbox config): nothing secret is on this command line.
 *
 * The exact argv is `msb exec NAME -- /bin/sh -c WORKLOAD_LAUNCH_SCRIPT ARGV...`; the msb simulator used in tests
 * recognises precisely this shape, so change both together.
 */
export const WORKLOAD_LAUNCH_SCRIPT = 'nohup "$0" "$@" >>/tmp/openwork-server.log 2>&1 &';

/** Guest path the server's stdout and stderr are appended to. */
export const WORKLOAD_LOG = '/tmp/openwork-server.log';

export function workloadLaunchArgs(name: string, argv: readonly string[]): string[] {
  return ['exec', name, '--', '/bin/sh', '-c', WORKLOAD_LAUNCH_SCRIPT, ...argv];
}
