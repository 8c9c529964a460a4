// `msb ls`, `msb inspect`, `msb status`: read-only views of the state, in msb 0.6.18's JSON shapes.
import { parseArgs } from './args.mjs';
import { inspectView } from './v07.mjs';
import { msbHome } from './home.mjs';
import { printJson, shortTime, table, usage } from './output.mjs';
import { commandLabel, imageLabel } from './sandbox-config.mjs';
import { getSandbox, matchesLabels, sortedBySeqDesc } from './sandboxes.mjs';
import { snapshot } from './state.mjs';
import { formatMib } from './values.mjs';

const FORMAT = { long: 'format', value: 'FORMAT', possible: ['json'] };
const LABEL = { long: 'label', value: 'LABEL', multiple: true };
const QUIET = { long: 'quiet', short: 'q' };

const LS_SPEC = { name: 'list', usage: 'msb list [OPTIONS]', options: [{ long: 'running' }, { long: 'stopped' }, LABEL, FORMAT, QUIET], positionals: [] };
const INSPECT_SPEC = { name: 'inspect', usage: 'msb inspect [OPTIONS] <NAME>', options: [FORMAT], positionals: [{ name: 'NAME', required: true }] };
const STATUS_SPEC = { name: 'status', usage: 'msb status [OPTIONS] [NAME]', options: [{ long: 'all', short: 'a' }, LABEL, FORMAT, QUIET], positionals: [{ name: 'NAME' }] };

export function list(argv, env) {
  const { opts, help } = parseArgs(argv, LS_SPEC);
  if (help) return usage(LS_SPEC);
  const state = snapshot(msbHome(env));
  const rows = sortedBySeqDesc(state).filter(
    (record) =>
      matchesLabels(record, opts.label ?? []) &&
      (!opts.running || record.status === 'Running') &&
      (!opts.stopped || record.status === 'Stopped'),
  );
  if (opts.format === 'json') {
    printJson(rows.map((r) => ({ created_at: r.created_at, image: imageLabel(r.config), name: r.name, status: r.status })));
  } else if (opts.quiet) {
    process.stdout.write(rows.map((r) => `${r.name}\n`).join(''));
  } else if (rows.length === 0) {
    process.stdout.write('No sandboxes found.\n');
  } else {
    table(['NAME', 'IMAGE', 'STATUS', 'CREATED'], rows.map((r) => [r.name, imageLabel(r.config), r.status.toLowerCase(), shortTime(r.created_at)]));
  }
  return 0;
}

export function inspect(argv, env) {
  const { opts, pos, help } = parseArgs(argv, INSPECT_SPEC);
  if (help) return usage(INSPECT_SPEC);
  const record = getSandbox(snapshot(msbHome(env)), pos.NAME);
  const view = {
    active_config: record.active_config,
    config: record.config,
    created_at: record.created_at,
    name: record.name,
    pending_changes: record.pending_changes,
    status: record.status,
    updated_at: record.updated_at,
  };
  if (opts.format === 'json') {
    printJson(inspectView(view));
    return 0;
  }
  const { resources } = record.config;
  const lines = [
    ['Name', record.name],
    ['Status', record.status.toLowerCase()],
    ['Created', shortTime(record.created_at)],
    ['Updated', shortTime(record.updated_at)],
    ['Image', imageLabel(record.config)],
    ['CPUs', `${resources.cpus}`],
    ['Memory', formatMib(resources.memory_mib)],
  ];
  process.stdout.write(lines.map(([k, v]) => `${`${k}:`.padEnd(16)}${v}\n`).join(''));
  return 0;
}

export function status(argv, env) {
  const { opts, pos, help } = parseArgs(argv, STATUS_SPEC);
  if (help) return usage(STATUS_SPEC);
  const state = snapshot(msbHome(env));
  if (pos.NAME !== undefined) {
    const row = statusRow(getSandbox(state, pos.NAME));
    if (opts.format === 'json') printJson(row);
    else printStatusTable([row]);
    return 0;
  }
  const rows = Object.values(state.sandboxes)
    .filter((record) => (opts.all || record.status === 'Running') && matchesLabels(record, opts.label ?? []))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map(statusRow);
  if (opts.format === 'json') printJson(rows);
  else if (opts.quiet) process.stdout.write(rows.map((r) => `${r.name}\n`).join(''));
  else printStatusTable(rows);
  return 0;
}

function statusRow(record) {
  const config = record.active_config ?? record.config;
  const { resources } = config;
  return {
    command: commandLabel(config),
    cpus: resources.cpus,
    image: imageLabel(config),
    max_cpus: resources.max_cpus,
    max_memory_mib: resources.max_memory_mib,
    memory_mib: resources.memory_mib,
    name: record.name,
    ports: config.network.ports.map((p) => `${p.host_bind}:${p.host_port}->${p.guest_port}/${p.protocol}`),
    status: record.status,
    thp: 'madvise',
  };
}

function printStatusTable(rows) {
  table(
    ['NAME', 'IMAGE', 'COMMAND', 'CPUS', 'MEM', 'STATUS', 'PORTS'],
    rows.map((r) => [
      r.name,
      r.image,
      cut(r.command, 40),
      `${r.cpus} / ${r.max_cpus}`,
      `${formatMib(r.memory_mib)} / ${formatMib(r.max_memory_mib)}`,
      r.status.toLowerCase(),
      cut(r.ports.join(', '), 32) || '-',
    ]),
  );
}

function cut(text, width) {
  return text.length > width ? `${text.slice(0, width - 3)}...` : text;
}
