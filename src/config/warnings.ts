/**
 * Warnings about a valid file: things that work as written but not as a reader would expect. Each is said once per
 * file (not once per sandbox), by validate, and by a plan that creates or changes a sandbox it is about.
 */
import { credentialsOf, type DesiredState } from '../model/desired.ts';
import { egressVerdict } from '../model/network.ts';
import { OPENCODE_EGRESS } from '../model/opencode-egress.ts';
import { nameList } from '../name-list.ts';

/** Sandboxes a warning names before it counts the rest. */
const MAX_NAMED = 10;

/**
 * idle_timeout on the local backend: msb's idle monitor counts exec sessions and agent activity only
 * (crates/runtime/lib/heartbeat.rs); published ports are proxied on the host and never reach the agent
 * (crates/network/lib/ports/publisher.rs). A sandbox used only by remote OpenWork clients is drained while in use.
 */
export function idleTimeoutWarning(desired: DesiredState, only?: ReadonlySet<string>): string | null {
  const names = desired.sandboxes.filter((s) => s.idleTimeoutSecs !== undefined && (only === undefined || only.has(s.name))).map((s) => s.name);
  if (names.length === 0) return null;
  return (
    `idle_timeout (${nameList(names, MAX_NAMED)}): on the local backend msb counts only exec activity as use, never client ` +
    'traffic on published ports, so a sandbox used only by remote OpenWork clients is stopped while in use. ' +
    'Run `owctl keepalive` to keep sandboxes with recent OpenCode activity awake (README: "idle_timeout").'
  );
}

/**
 * Egress the policy blocks although the sandbox needs it: a credential's host (some of them: a credential whose hosts
 * are all blocked is an error), or a host OpenCode reaches at start. One warning per host, naming the sandboxes.
 */
export function egressWarnings(desired: DesiredState): string[] {
  const blocked = new Map<string, { why: string; names: string[] }>();
  const note = (host: string, why: string, name: string): void => {
    const entry = blocked.get(host) ?? { why, names: [] };
    entry.names.push(name);
    blocked.set(host, entry);
  };
  for (const sandbox of desired.sandboxes) {
    for (const [variable, credential] of Object.entries(credentialsOf(sandbox))) {
      for (const host of credential.hosts) if (egressVerdict(sandbox, host) === 'blocked') note(host, `a host of the credential ${variable}`, sandbox.name);
    }
    for (const need of OPENCODE_EGRESS) if (egressVerdict(sandbox, need.host) === 'blocked') note(need.host, `where OpenCode fetches ${need.why} at start`, sandbox.name);
  }
  return [...blocked.entries()].map(
    ([host, { why, names }]) =>
      `network (${nameList(names, MAX_NAMED)}) blocks ${host}, ${why}; allow it with { allow: ${host}, ports: [443] } under network.rules (README: "Egress and credentials")`,
  );
}

/** `only`: the sandboxes a plan creates or changes (a plan warns about their idle_timeout); all of them when absent (validate). */
export function fileWarnings(desired: DesiredState | undefined, only?: ReadonlySet<string>): string[] {
  if (desired === undefined) return [];
  return [idleTimeoutWarning(desired, only), ...egressWarnings(desired)].filter((w): w is string => w !== null);
}
