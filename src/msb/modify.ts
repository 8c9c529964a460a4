/**
 * `msb modify`: in-place changes to cpus, memory, env and labels.
 *
 * msb 0.6.18 takes env changes only as `--env KEY=VALUE` on the command line (no conf or env file, and `--env KEY`
 * without a value is rejected), so a secret env value cannot be changed in place without exposing it in argv.
 * `secretEnv` names the keys that must never reach argv; setting one throws. Token changes need a new sandbox
 * (`create` carries env in a private file).
 *
 * msb's JSON answer echoes env values (`"after": "KEY=value"`): treat a ModifyResult as possibly sensitive.
 */
import { OwctlError } from '../errors.ts';
import type { CredentialSpec } from '../model/desired.ts';
import { secretSpec } from './network-args.ts';
import { parseJson } from './normalize.ts';

export interface ModifyChanges {
  cpus?: number;
  memoryMib?: number;
  /** Values go on argv: never secret. */
  env?: Record<string, string>;
  envRemove?: string[];
  labels?: Record<string, string>;
  labelRemove?: string[];
  /** Credentials to add or rotate (`--secret VAR@HOSTS`): names and hosts on argv, values only in msb's environment. */
  secrets?: string[];
  /** Credentials to remove (`--secret-rm VAR`). */
  secretRemove?: string[];
  /** Every credential the sandbox holds after the change: msb reads their values when it (re)starts the sandbox. */
  credentials?: Record<string, CredentialSpec>;
}

export interface ModifyOptions {
  dryRun?: boolean;
  /** Restart a running sandbox when a change needs it (without it msb refuses such a change and applies nothing). */
  restart?: boolean;
  /** Save the changes for the next start without touching a running VM (`--next-start`). */
  nextStart?: boolean;
  /** Env keys whose values are secret (the tokens): refused here. */
  secretEnv?: Iterable<string>;
}

export interface ModifyChange {
  kind: string;
  field: string;
  change: string;
  before?: unknown;
  after?: unknown;
  /** `live`, `next start`, `requires restart` or `unsupported`. */
  disposition: string;
  reason?: string;
}

export interface ModifyResult {
  sandbox: string;
  status: string;
  applied: boolean;
  policy: string;
  changes: ModifyChange[];
  conflicts: unknown[];
  warnings: Array<{ field?: string; message: string }>;
}

export function modifyArgs(name: string, changes: ModifyChanges, options: ModifyOptions): string[] {
  const secret = new Set(options.secretEnv ?? []);
  const leaked = Object.keys(changes.env ?? {}).filter((key) => secret.has(key));
  if (leaked.length > 0) {
    throw new OwctlError('msb.failed', `refusing to change ${leaked.sort().join(', ')} with msb modify: it would put a secret on the command line`, {
      hint: 'msb modify has no file input for env; a token change needs the sandbox to be replaced',
      details: { keys: leaked.sort() },
    });
  }
  const args = ['modify', name];
  if (changes.cpus !== undefined) args.push(`--cpus=${changes.cpus}`);
  if (changes.memoryMib !== undefined) args.push(`--memory=${changes.memoryMib}M`);
  for (const [key, value] of sortedEntries(changes.env)) args.push(`--env=${key}=${value}`);
  for (const key of [...(changes.envRemove ?? [])].sort()) args.push(`--env-rm=${key}`);
  for (const [key, value] of sortedEntries(changes.labels)) args.push(`--label=${key}=${value}`);
  for (const key of [...(changes.labelRemove ?? [])].sort()) args.push(`--label-rm=${key}`);
  for (const key of [...(changes.secrets ?? [])].sort()) {
    const spec = changes.credentials?.[key];
    if (spec === undefined) throw new OwctlError('msb.argument', `no hosts known for credential ${key}`, { hint: 'a bug in owctl: please report it' });
    args.push(`--secret=${secretSpec(key, spec)}`);
  }
  for (const key of [...(changes.secretRemove ?? [])].sort()) args.push(`--secret-rm=${key}`);
  if (options.dryRun === true) args.push('--dry-run');
  if (options.restart === true) args.push('--restart');
  if (options.nextStart === true) args.push('--next-start');
  args.push('--format', 'json');
  return args;
}

export function parseModifyResult(stdout: string): ModifyResult {
  const value = parseJson(stdout, 'modify') as Partial<ModifyResult> | null;
  if (value === null || typeof value !== 'object' || typeof value.applied !== 'boolean' || !Array.isArray(value.changes)) {
    throw new OwctlError('msb.bad_output', 'unexpected output from msb modify: no `applied` flag or `changes` list', {
      hint: 'owctl is built for msb 0.6.18; check `owctl doctor` for the version in use',
    });
  }
  return {
    sandbox: String(value.sandbox ?? ''),
    status: String(value.status ?? ''),
    applied: value.applied,
    policy: String(value.policy ?? ''),
    changes: value.changes,
    conflicts: Array.isArray(value.conflicts) ? value.conflicts : [],
    warnings: Array.isArray(value.warnings) ? value.warnings : [],
  };
}

function sortedEntries(map: Record<string, string> | undefined): Array<[string, string]> {
  return Object.entries(map ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The error for a modify msb refused as a whole: only field names and dispositions, never values (they may be env). */
export function refusedModify(name: string, result: ModifyResult): OwctlError {
  const blocking = result.changes.filter((change) => change.disposition !== 'live' && change.disposition !== 'next start');
  const fields = [...new Set(blocking.map((change) => `${change.field} (${change.disposition})`))];
  return new OwctlError('msb.sandbox_running', `msb modify ${name}: nothing applied; ${fields.join(', ') || 'a change'} cannot be applied to the ${result.status} sandbox as it is`, {
    hint: 'allow a restart (msb modify --restart), or stop the sandbox first',
    details: { subcommand: 'modify', status: result.status, fields: blocking.map((c) => ({ field: c.field, disposition: c.disposition })) },
  });
}
