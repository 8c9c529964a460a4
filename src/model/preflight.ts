/**
 * Preflight: what would make an apply fail no matter how it runs — found before any change, from the file, the
 * observed state, the plan and a few facts about the host. Plan reports each with a hint; apply refuses on errors.
 */
export type PreflightCode = 'image.not_cached' | 'port.busy' | 'port.shared' | 'host.no_cpu_virtualisation' | 'host.unchecked';

export interface PreflightProblem {
  severity: 'error' | 'warning';
  code: PreflightCode;
  /** The sandbox concerned; absent for problems of the host. */
  sandbox?: string;
  message: string;
  hint: string;
}

/** What the command layer learnt about the host (the planner does no I/O). */
export interface HostFacts {
  /** Host ports (TCP, with their bind address) that something holds, among those the plan would publish. */
  busyPorts: Array<{ bind: string; port: number }>;
  /** Whether this host can boot sandboxes; null when it was not asked, a string when asking failed. */
  canBoot: boolean | null | string;
  /** Registries of images apply would pull that did not answer (absent: none was asked). */
  unreachableRegistries?: string[];
}
