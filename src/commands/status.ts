/** `owctl status [NAME…]`: declared and owned sandboxes with live status, resources, URL, owner and server health. */
import { EXIT, OwctlError } from '../errors.ts';
import type { FieldGroup } from '../model/capabilities.ts';
import type { DesiredSandbox } from '../model/desired.ts';
import { LABEL_PROJECT } from '../model/labels.ts';
import type { ObservedSandbox } from '../model/observed.ts';
import { formatSize } from '../model/units.ts';
import { style } from '../views/style.ts';
import { renderTable } from '../views/table.ts';
import type { CommandIO } from './io.ts';
import { takeSnapshot, type SnapshotOptions } from './snapshot.ts';

export interface StatusRow {
  name: string;
  declared: boolean;
  status: string;
  image: string | null;
  cpus: number | null;
  memory: string | null;
  url: string | null;
  owner: string | null;
  server: 'up' | 'down' | 'unknown';
  /** Fields shown as the file declares them because the engine cannot report them (sorted; absent when none). */
  declared_fields?: Array<'cpus' | 'image' | 'memory'>;
}

/** The row's image, cpus and memory: read back where the engine reports them, else as the file declares them. */
function liveOrDeclared(sandbox: ObservedSandbox | undefined, want: DesiredSandbox | undefined, unreadable: readonly FieldGroup[]): Pick<StatusRow, 'image' | 'cpus' | 'memory' | 'declared_fields'> {
  if (sandbox === undefined) return { image: want?.image.ref ?? null, cpus: null, memory: null };
  const fromFile: Array<'cpus' | 'image' | 'memory'> = [];
  const pick = <T>(group: FieldGroup, names: Array<'cpus' | 'image' | 'memory'>, live: T, declared: T | undefined, unknown: T): T => {
    if (!unreadable.includes(group)) return live;
    if (declared === undefined) return unknown;
    fromFile.push(...names);
    return declared;
  };
  const image = pick('image', ['image'], sandbox.image, want?.image.ref, sandbox.image || null);
  const [cpus, memory] = pick<[number | null, string | null]>('resources', ['cpus', 'memory'], [sandbox.cpus, formatSize(sandbox.memoryMib)], want && [want.cpus, formatSize(want.memoryMib)], [null, null]);
  return { image, cpus, memory, ...(fromFile.length > 0 ? { declared_fields: fromFile.sort() } : {}) };
}

export async function statusCommand(options: SnapshotOptions & { names: string[]; json: boolean }, io: CommandIO): Promise<number> {
  const { desired, observed, backend } = await takeSnapshot({ ...options, command: 'status', optionalSecrets: true }, io);
  const declared = new Map(desired.sandboxes.map((s) => [s.name, s]));
  const live = new Map(observed.sandboxes.map((s) => [s.name, s]));
  const names = [...new Set([...declared.keys(), ...observed.sandboxes.filter((s) => s.labels[LABEL_PROJECT] === desired.project).map((s) => s.name)])].sort();
  const unknown = options.names.filter((n) => !names.includes(n));
  if (unknown.length > 0) throw new OwctlError('usage', `no sandbox named ${unknown.join(', ')} in project "${desired.project}"`, { hint: 'run `owctl status` to list them' });
  const chosen = names.filter((name) => options.names.length === 0 || options.names.includes(name));
  const rows: StatusRow[] = await Promise.all(
    chosen.map(async (name) => {
      const sandbox = live.get(name);
      const want = declared.get(name);
      const address = sandbox ? await backend.serverAddress(sandbox, sandbox.id).catch(() => null) : want ? await backend.serverAddress(want).catch(() => null) : null;
      return {
        name,
        declared: want !== undefined,
        status: sandbox?.status ?? 'not created',
        ...liveOrDeclared(sandbox, want, observed.capabilities?.unreadable ?? []),
        url: address?.url ?? null,
        owner: sandbox ? (sandbox.labels[LABEL_PROJECT] ?? '(unmanaged)') : null,
        server: sandbox?.server ?? 'unknown',
      };
    }),
  );
  if (options.json) {
    io.stdout(`${JSON.stringify({ format_version: '1.1', project: desired.project, sandboxes: rows }, null, 2)}\n`);
    return EXIT.ok;
  }
  const s = style(io.color);
  const health = (row: StatusRow) => (row.server === 'up' ? s.green('up') : row.server === 'down' ? s.red('down') : s.dim('-'));
  const mark = (row: StatusRow, field: 'cpus' | 'image' | 'memory', text: string) => (row.declared_fields?.includes(field) ? `${text}*` : text);
  io.stdout(
    renderTable(
      ['NAME', 'STATUS', 'IMAGE', 'CPUS', 'MEMORY', 'URL', 'OWNER', 'SERVER'],
      rows.map((r) => [
        r.declared ? r.name : `${r.name} (not in file)`,
        r.status,
        mark(r, 'image', r.image ?? '-'),
        mark(r, 'cpus', String(r.cpus ?? '-')),
        mark(r, 'memory', r.memory ?? '-'),
        r.url ?? '-',
        r.owner ?? '-',
        health(r),
      ]),
      // On a terminal, cut the image and owner before the URL, which a reader copies.
      { width: io.columns, keep: [5] },
    ),
  );
  if (rows.some((r) => r.declared_fields !== undefined)) io.stdout(s.dim('* as declared in the file: this backend cannot report it\n'));
  return EXIT.ok;
}
