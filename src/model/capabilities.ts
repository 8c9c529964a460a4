/**
 * What a runtime can do, as data the pure planner reads (Terraform's per-attribute RequiresReplace, Pulumi's
 * deleteBeforeReplace): how a change to each group of fields lands on an existing sandbox, whether a replacement
 * can be created before the old sandbox goes, which fields the engine cannot report back. Each backend publishes
 * its description with its observed state; the planner never asks a backend anything.
 */
import type { EgressAction, NetworkProtocol, NetworkRule } from './desired.ts';
import { MSB_IMPLICIT_EGRESS, type NetworkTargetKind } from './network.ts';

/** How a change lands: without downtime, with a restart of the running sandbox, or with a new sandbox. */
export type Disposition = 'live' | 'restart' | 'replace';

/** The groups of a sandbox's fields, as the file names them. */
export type FieldGroup =
  | 'image'
  | 'resources'
  | 'env'
  | 'tokens'
  | 'labels'
  | 'protect'
  | 'mounts'
  | 'ports'
  | 'command'
  | 'idle_timeout'
  | 'max_duration'
  | 'network'
  | 'credentials'
  | 'access';

export type BackendKind = 'msb' | 'opensandbox';

/**
 * What a runtime can express of the file's `network` and `credentials`. The file's checks refuse what a runtime
 * cannot express (naming the runtime), and the plan says what applies when the file declares nothing.
 */
export interface EgressCapabilities {
  /** Rule targets the runtime can express. */
  targets: NetworkTargetKind[];
  /** Rules can name ports. */
  ports: boolean;
  /** Protocols a rule can name. */
  protocols: NetworkProtocol[];
  /** The file's on_violation is honoured. */
  onViolation: boolean;
  /** A credential's `header` is used (the runtime injects it), or ignored (the runtime swaps a placeholder). */
  credentialHeader: 'used' | 'ignored';
  /** What applies when the file has no `network` block, as plan and README say it. */
  defaultPolicy: string;
  /** The guest variable of a credential holds this prefix + its name (msb: `$MSB_`); null: the runtime sets none. */
  placeholderPrefix: string | null;
  /** What the runtime records when the file declares rules but no egress default: that default, and rules it adds after the file's. */
  implicit: { egress: EgressAction; rules: NetworkRule[] };
  /** The policy a sandbox runs with when the file declares none, as the engine reports it (compared when one is in force). */
  undeclared: { egress: EgressAction; rules: NetworkRule[] };
  /** Credentials need a policy in force (OpenSandbox: the egress sidecar holds the vault); else they work without one. */
  credentialsNeedPolicy: boolean;
  /** The plan's path for the engine's switch that swaps credentials in (ObservedEgress.injects), shown off → on. */
  injectionField: string;
  /** How each kind of egress change lands on an existing sandbox, and why (a reason only where the engine gives one). */
  changes: Record<EgressChangeKind, EgressChange>;
}

export interface EgressChange {
  disposition: Disposition;
  reason?: string;
}

/**
 * The kinds of egress change: the default action; the rules; a policy on a sandbox that has none in force; the
 * on_violation action; turning on the switch that swaps credentials in; a credential added, removed, given a new
 * value, or bound to other hosts or another header.
 */
export type EgressChangeKind =
  | 'default_action'
  | 'rules'
  | 'first_policy'
  | 'on_violation'
  | 'injection'
  | 'credential_added'
  | 'credential_removed'
  | 'credential_value'
  | 'credential_binding';

export interface BackendCapabilities {
  backend: BackendKind;
  /**
   * How a change to each group lands on an existing sandbox: live, restart of the running sandbox, or a new sandbox.
   * `network` and `credentials` say it per kind of change instead (`egress.changes`).
   */
  inPlace: Record<Exclude<FieldGroup, 'network' | 'credentials'>, Disposition>;
  /** A longer max_duration is applied live (renewing the expiry); a shorter or removed one still needs a new sandbox. */
  extendMaxDurationLive: boolean;
  /** Names are not the engine's key, so the new sandbox can be created and verified before the old one is deleted. */
  createBeforeDestroy: boolean;
  /**
   * Why a replacement deletes the old sandbox first although names would allow both at once (e.g. a server that gives
   * every sandbox the same address): shown in the plan as the cause of its downtime. Set only with
   * `createBeforeDestroy: false`.
   */
  deleteFirstBecause?: string;
  /** Every sandbox's server binds its guest port on one shared host (host networking): one sandbox per server port. */
  sharedServerPorts?: boolean;
  /** Groups the engine cannot report: compared through the digests recorded on the sandbox when it was made. */
  unreadable: FieldGroup[];
  /** owctl launches the OpenWork server after create and start (msb boots an idle VM); false: the engine runs the command. */
  launchesServer: boolean;
  /** owctl checks, pulls and loads images in a local cache before creating (pull policy, image archives). */
  localImages: boolean;
  /** A stopped sandbox can be started again and its server relaunched; false: a sandbox whose server is down is replaced. */
  restartable: boolean;
  /** The engine has an API for the server's output (`owctl logs`). */
  serverLogs: boolean;
  /** What the engine can express of egress rules and host-held credentials. */
  egress: EgressCapabilities;
}

/**
 * Local microsandbox (msb 0.6.18): cpus, memory and env change with a restart, labels live; tokens only through a
 * new sandbox (msb modify takes env on its command line, where a token would be visible); names are unique, so a
 * replacement removes the old sandbox first. Network rules only change with a new sandbox; credentials change through
 * `msb modify --secret/--secret-rm` (`next start` when stopped; live or `requires restart` when running, as msb's
 * runtime allows), and a new value reaches msb only when it starts the sandbox: a restart. Also what the planner assumes for a snapshot that names no backend.
 */
export const MSB_CAPABILITIES: BackendCapabilities = {
  backend: 'msb',
  inPlace: {
    image: 'replace',
    resources: 'restart',
    env: 'restart',
    tokens: 'replace',
    labels: 'live',
    protect: 'live',
    mounts: 'replace',
    ports: 'replace',
    command: 'replace',
    idle_timeout: 'replace',
    max_duration: 'replace',
    // Issued and revoked through the server's /tokens routes: no restart.
    access: 'live',
  },
  extendMaxDurationLive: false,
  createBeforeDestroy: false,
  unreadable: [],
  launchesServer: true,
  localImages: true,
  restartable: true,
  serverLogs: true,
  egress: {
    targets: ['domain', 'suffix', 'ip', 'cidr', 'group'],
    ports: true,
    protocols: ['tcp', 'udp'],
    onViolation: true,
    credentialHeader: 'ignored',
    defaultPolicy: 'egress deny with an implicit allow of public addresses (msb\'s default: allow@public)',
    implicit: MSB_IMPLICIT_EGRESS,
    undeclared: MSB_IMPLICIT_EGRESS,
    credentialsNeedPolicy: false,
    // msb turns interception on only when it creates a sandbox with a secret (`msb modify --secret` leaves it off).
    injectionField: 'network.tls_interception',
    // The policy only with a new sandbox (msb modify has no network flags); credentials with a restart (see above).
    changes: {
      default_action: { disposition: 'replace' },
      rules: { disposition: 'replace' },
      first_policy: { disposition: 'replace' },
      on_violation: { disposition: 'replace' },
      injection: { disposition: 'replace' },
      credential_added: { disposition: 'restart' },
      credential_removed: { disposition: 'restart' },
      credential_value: { disposition: 'restart' },
      credential_binding: { disposition: 'restart' },
    },
    placeholderPrefix: '$MSB_',
  },
};
