/**
 * What a runtime can do, as data the pure planner reads (Terraform's per-attribute RequiresReplace, Pulumi's
 * deleteBeforeReplace): how a change to each group of fields lands on an existing sandbox, whether a replacement
 * can be created before the old sandbox goes, which fields the engine cannot report back. Each backend publishes
 * its description with its observed state; the planner never asks a backend anything.
 */
/** How a change lands: without downtime, with a restart of the running sandbox, or with a new sandbox. */
export type Disposition = 'live' | 'restart' | 'replace';

/** The groups of a sandbox's fields, as the file names them. */
export type FieldGroup = 'image' | 'resources' | 'env' | 'tokens' | 'labels' | 'protect' | 'mounts' | 'ports' | 'command' | 'idle_timeout' | 'max_duration' | 'access';

export type BackendKind = 'msb' | 'opensandbox';

export interface BackendCapabilities {
  backend: BackendKind;
  /** How a change to each group lands on an existing sandbox: live, restart of the running sandbox, or a new sandbox. */
  inPlace: Record<FieldGroup, Disposition>;
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
}

/**
 * Local microsandbox (msb 0.6.18): cpus, memory and env change with a restart, labels live; tokens only through a
 * new sandbox (msb modify takes env on its command line, where a token would be visible); names are unique, so a
 * replacement removes the old sandbox first. Also what the planner assumes for a snapshot that names no backend.
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
};
