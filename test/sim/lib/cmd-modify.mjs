// `msb modify NAME`: plan, then apply in-place changes. Stopped sandbox: every change is `next start` and lands in
// `config` at once. Running sandbox: cpus/memory up to the boot-time max are `live`; max changes, env, labels and
// workdir `requires restart` — without --restart the whole modify is refused (exit 1, nothing applied; in JSON mode
// the plan goes to stdout and nothing to stderr). --next-start saves everything for the next start.
import { parseArgs } from './args.mjs';
import { ClapError, MsbError, fail, rendered, unsupported } from './errors.mjs';
import { msbHome } from './home.mjs';
import { printJson, success, table, usage } from './output.mjs';
import { UP, boot, getSandbox, stop } from './sandboxes.mjs';
import { sortedObject } from './sandbox-config.mjs';
import { snapshot, withState } from './state.mjs';
import { now } from './time.mjs';
import { formatMib, parseSizeMib } from './values.mjs';
import { ensureNetworkPolicy, parseSecret, secretEntry } from './network.mjs';

/**
 * Secret changes as msb 0.6.18 plans them (sdk/rust/lib/sandbox/modify.rs): an existing secret given again is
 * `rotated`, a new one `added`; stopped → `next start`; running → `requires restart` (this runtime has no live
 * secret reconfiguration, which msb says in a warning for changes that could otherwise be live).
 */
function secretChanges(config, request, running, changes, warnings) {
  const existing = new Map((config.network.secrets?.secrets ?? []).map((secret) => [secret.env_var, secret]));
  const disposition = running ? 'requires restart' : 'next start';
  const warn = () => {
    if (running) warnings.push({ field: 'secret', message: 'live secret reconfiguration is not available in this runtime yet' });
  };
  for (const { name, hosts } of request.secrets) {
    const before = existing.get(name);
    const entry = { kind: 'secret', field: 'secret', name, change: before ? 'rotated' : 'added' };
    if (before) entry.before_ref = before.placeholder;
    Object.assign(entry, { after_ref: `$MSB_${name}`, disposition, allow_hosts: hosts });
    changes.push(entry);
    if (before) warn();
  }
  for (const name of request.secretRemove) {
    const before = existing.get(name);
    if (!before) continue;
    const hosts = before.allowed_hosts.map((host) => host.exact ?? host.wildcard);
    changes.push({ kind: 'secret', field: 'secret', name, change: 'removed', before_ref: before.placeholder, disposition, allow_hosts: hosts });
    warn();
  }
}

function applySecrets(config, request) {
  if (request.secrets.length === 0 && request.secretRemove.length === 0) return;
  ensureNetworkPolicy(config);
  const list = config.network.secrets.secrets;
  for (const { name, hosts } of request.secrets) {
    const index = list.findIndex((secret) => secret.env_var === name);
    if (index >= 0) list[index] = secretEntry(name, hosts);
    else list.push(secretEntry(name, hosts));
  }
  config.network.secrets.secrets = list.filter((secret) => !request.secretRemove.includes(secret.env_var));
}

const SPEC = {
  name: 'modify',
  usage: 'msb modify [OPTIONS] <NAME>',
  options: [
    { long: 'cpus', value: 'CPUS', type: 'u8' },
    { long: 'max-cpus', value: 'MAX_CPUS', type: 'u8' },
    { long: 'memory', value: 'MEMORY' },
    { long: 'max-memory', value: 'MAX_MEMORY' },
    { long: 'root-disk', value: 'SIZE' },
    { long: 'env', value: 'KEY=VALUE', multiple: true },
    { long: 'env-rm', value: 'KEY', multiple: true },
    { long: 'label', value: 'KEY=VALUE', multiple: true },
    { long: 'label-rm', value: 'KEY', multiple: true },
    { long: 'workdir', value: 'PATH' },
    { long: 'secret', value: 'NAME@HOST[,HOST...]', multiple: true },
    { long: 'secret-rm', value: 'NAME', multiple: true },
    { long: 'dry-run' },
    { long: 'next-start' },
    { long: 'restart' },
    { long: 'format', value: 'FORMAT', possible: ['json'] },
  ],
  positionals: [{ name: 'NAME', required: true }],
};
const LABELS = { max_cpus: 'max CPUs', max_memory: 'max memory' };

export async function modify(argv, env) {
  const { opts, pos, help } = parseArgs(argv, SPEC);
  if (help) return usage(SPEC);
  if (opts['next-start'] && opts.restart) {
    throw new ClapError(
      "error: the argument '--next-start' cannot be used with '--restart'\n\nUsage: msb modify --next-start <NAME>\n\nFor more information, try '--help'.",
    );
  }
  for (const key of ['root-disk']) if (opts[key] !== undefined) throw unsupported(`modify --${key}`);
  const home = msbHome(env);
  const name = pos.NAME;
  const record = getSandbox(snapshot(home), name);
  const request = parseRequest(opts);
  const json = opts.format === 'json';
  const plan = makePlan(record, request, opts);
  if (opts['dry-run']) {
    printPlan(plan, json);
    return 0;
  }
  const blocker = blockerOf(plan, opts, name, argv);
  if (blocker) throw json ? rendered(`${JSON.stringify(plan, null, 2)}\n`) : blocker;
  const needsRestart = plan.changes.some((c) => c.disposition === 'requires restart');
  withState(home, (state) => apply(getSandbox(state, name), plan));
  if (needsRestart && opts.restart) {
    await stop(home, name);
    const failure = await boot(home, name, env);
    if (failure !== null) throw fail(`failed to start ${JSON.stringify(name)}: ${failure.message}`);
  }
  plan.applied = true;
  if (json) printJson(plan, { sort: false });
  else {
    const nextStartOnRunning = plan.policy === 'next_start' && plan.status === 'running';
    success('Modified', nextStartOnRunning ? `${name} (next start)` : name);
    if (needsRestart && opts.restart) success('Restarted', name);
  }
  return 0;
}

function parseRequest(opts) {
  const pair = (text, flag) => {
    const eq = text.indexOf('=');
    if (eq < 0) throw fail(`${flag} must be KEY=VALUE`);
    if (eq === 0) throw fail(`${flag} key must not be empty`);
    return [text.slice(0, eq), text.slice(eq + 1)];
  };
  return {
    cpus: opts.cpus,
    maxCpus: opts['max-cpus'],
    memory: opts.memory === undefined ? undefined : parseSizeMib(opts.memory),
    maxMemory: opts['max-memory'] === undefined ? undefined : parseSizeMib(opts['max-memory']),
    env: (opts.env ?? []).map((text) => pair(text, '--env')),
    envRemove: opts['env-rm'] ?? [],
    labels: (opts.label ?? []).map((text) => pair(text, '--label')),
    labelRemove: opts['label-rm'] ?? [],
    workdir: opts.workdir,
    secrets: (opts.secret ?? []).map((text) => parseSecret(text, 'modify')),
    secretRemove: opts['secret-rm'] ?? [],
  };
}

function makePlan(record, request, opts) {
  const running = UP.has(record.status);
  const policy = opts['next-start'] ? 'next_start' : opts.restart ? 'restart' : 'no_restart';
  const config = record.config;
  const bootMax = (record.active_config ?? config).resources;
  const changes = [];
  const conflicts = [];
  const add = (field, change, before, after, liveWhenRunning = false) => {
    let disposition = 'next start';
    if (running && policy !== 'next_start') disposition = liveWhenRunning ? 'live' : 'requires restart';
    const entry = { kind: 'config', field, change };
    if (before !== undefined) entry.before = before;
    if (after !== undefined) entry.after = after;
    entry.disposition = disposition;
    changes.push(entry);
  };
  const { resources } = config;
  const resource = (field, maxField, value, explicitMax, current, currentMax, bootLimit, show) => {
    if (value !== undefined && value !== current) add(field, 'updated', show(current), show(value), value <= bootLimit);
    const max = Math.max(explicitMax ?? currentMax, value !== undefined && value > currentMax ? value : 0);
    if (max !== currentMax) add(maxField, 'updated', show(currentMax), show(max));
  };
  resource('cpus', 'max_cpus', request.cpus, request.maxCpus, resources.cpus, resources.max_cpus, bootMax.max_cpus, String);
  resource('memory', 'max_memory', request.memory, request.maxMemory, resources.memory_mib, resources.max_memory_mib, bootMax.max_memory_mib, formatMib);
  if (request.cpus === 0) conflicts.push({ field: 'cpus', message: 'cpus must be greater than 0' });
  if (request.memory === 0) conflicts.push({ field: 'memory', message: 'memory must be greater than 0' });
  const envNow = new Map(config.env.map(({ key, value }) => [key, value]));
  for (const [key, value] of request.env) {
    if (!envNow.has(key)) add('env', 'added', undefined, `${key}=${value}`);
    else if (envNow.get(key) !== value) add('env', 'updated', `${key}=${envNow.get(key)}`, `${key}=${value}`);
    envNow.set(key, value);
  }
  for (const key of request.envRemove) if (envNow.has(key)) add('env', 'removed', `${key}=${envNow.get(key)}`);
  const labelsNow = new Map(Object.entries(config.labels));
  for (const [key, value] of request.labels) {
    if (!labelsNow.has(key)) add('label', 'added', undefined, `${key}=${value}`);
    else if (labelsNow.get(key) !== value) add('label', 'updated', `${key}=${labelsNow.get(key)}`, `${key}=${value}`);
    labelsNow.set(key, value);
  }
  for (const key of request.labelRemove) if (labelsNow.has(key)) add('label', 'removed', `${key}=${labelsNow.get(key)}`);
  if (request.workdir !== undefined && request.workdir !== config.runtime.workdir) {
    add('workdir', config.runtime.workdir === null ? 'added' : 'updated', config.runtime.workdir ?? undefined, request.workdir);
  }
  const warnings = [];
  secretChanges(config, request, running && policy !== 'next_start', changes, warnings);
  const plan = { sandbox: record.name, status: record.status.toLowerCase(), applied: false, policy, changes, conflicts, warnings };
  Object.defineProperty(plan, 'request', { value: request, enumerable: false });
  return plan;
}

function apply(record, plan) {
  const { request } = plan;
  const targets = [record.config];
  const live = plan.changes.every((c) => c.disposition === 'live');
  if (record.active_config && live) targets.push(record.active_config);
  for (const config of targets) {
    const r = config.resources;
    if (request.cpus !== undefined) r.cpus = request.cpus;
    if (request.memory !== undefined) r.memory_mib = request.memory;
    r.max_cpus = Math.max(request.maxCpus ?? r.max_cpus, r.cpus);
    r.max_memory_mib = Math.max(request.maxMemory ?? r.max_memory_mib, r.memory_mib);
    for (const [key, value] of request.env) {
      const existing = config.env.filter((entry) => entry.key === key);
      if (existing.length > 0) existing.forEach((entry) => (entry.value = value));
      else config.env.push({ key, value });
    }
    config.env = config.env.filter((entry) => !request.envRemove.includes(entry.key));
    const labels = { ...config.labels, ...Object.fromEntries(request.labels) };
    for (const key of request.labelRemove) delete labels[key];
    config.labels = sortedObject(labels);
    if (request.workdir !== undefined) config.runtime.workdir = request.workdir;
    applySecrets(config, request);
  }
  if (plan.policy === 'next_start' && record.active_config) record.pending_changes = structuredClone(plan.changes);
  record.updated_at = now();
}

function blockerOf(plan, opts, name, argv) {
  const [conflict] = plan.conflicts;
  if (conflict) return new MsbError(`cannot modify ${JSON.stringify(name)}`, { hints: [conflict.message, 'no changes were applied'] });
  const restartLines = plan.changes
    .filter((c) => c.disposition === 'requires restart')
    .map((c) => `${c.field} requires restart: ${c.before || '-'} -> ${c.after || '-'}`);
  if (restartLines.length === 0 || opts.restart) return null;
  const replay = replayArgs(argv);
  return new MsbError(`cannot modify ${JSON.stringify(name)} without a restart`, {
    hints: [
      ...restartLines,
      'no changes were applied',
      `run \`msb modify ${name} ${replay}--restart\` to apply now`,
      `run \`msb modify ${name} ${replay}--next-start\` to save for the next start`,
    ],
  });
}

function replayArgs(argv) {
  const kept = [];
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    const long = /^--(cpus|max-cpus|memory|max-memory|env|env-rm|label|label-rm|workdir)(=(.*))?$/.exec(arg);
    if (!long) continue;
    kept.push(`--${long[1]} ${long[2] ? long[3] : argv[(i += 1)]}`);
  }
  return kept.length === 0 ? '' : `${kept.join(' ')} `;
}

function printPlan(plan, json) {
  if (json) {
    printJson(plan, { sort: false });
    return;
  }
  const effect = plan.status !== 'stopped' && plan.status !== 'created' && plan.status !== 'crashed';
  const headers = ['FIELD', 'CHANGE', 'BEFORE', 'AFTER', ...(effect ? ['EFFECT'] : [])];
  const rows = plan.changes.map((c) => [LABELS[c.field] ?? c.field, c.change, c.before || '-', c.after || '-', ...(effect ? [c.disposition] : [])]);
  table(headers, rows);
  process.stderr.write(effect ? '   dry run · nothing applied\n' : '   dry run · applies on next start · nothing applied\n');
}
