/** owctl's built-in values for keys a file leaves out. The schema's `default` annotations mirror these (tested). */
import type { PullPolicy } from '../model/desired.ts';
import { DEFAULT_SERVER_PORT } from '../model/server-port.ts';

export const DEFAULTS = {
  pull: 'if-missing' as PullPolicy,
  cpus: 2,
  memoryMib: 2048,
  readonly: false,
  bind: '127.0.0.1',
  protocol: 'tcp' as const,
  clientEnv: 'OPENWORK_TOKEN',
  hostEnv: 'OPENWORK_HOST_TOKEN',
  protect: false,
  verifyTimeoutSecs: 120,
  connectHost: '127.0.0.1',
  /** The guest port the OpenWork image's server listens on when it is not told otherwise. */
  serverPort: DEFAULT_SERVER_PORT,
  serverPortEnv: 'OPENWORK_PORT',
};

/**
 * Files larger than this are refused before parsing. An openwork.yaml is a few kilobytes (a hundred sandboxes
 * fit in 50 KiB); the bound keeps yaml's worst case on hostile input (a huge flow list) near a second.
 */
export const MAX_FILE_BYTES = 256 * 1024;
/** Deeper YAML nesting is refused before composing (the deepest real key is 5 levels down). */
export const MAX_DEPTH = 64;
/** Limit on alias (*name) nodes in a file; yaml's alias resolution slows down with each one. */
export const MAX_ALIASES = 100;
/** Limit on alias expansion, against "billion laughs" files. */
export const MAX_ALIAS_COUNT = 100;
/** At most this many diagnostics are listed; a last one counts the rest. */
export const MAX_DIAGNOSTICS = 100;
