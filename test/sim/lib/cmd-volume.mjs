// `msb volume create | ls | rm`. Volumes are records plus a folder under MSB_HOME/volumes; removing one does not
// check whether a sandbox uses it (neither does msb 0.6.18).
import { mkdirSync, rmSync } from 'node:fs';
import { parseArgs } from './args.mjs';
import { MsbError, fail } from './errors.mjs';
import { msbHome, volumeDir } from './home.mjs';
import { printJson, shortTime, success, table, usage } from './output.mjs';
import { withState } from './state.mjs';
import { checkVolumeName } from './validate.mjs';
import { parseSizeMib } from './values.mjs';
import { newVolume } from './volumes.mjs';

const CREATE = {
  name: 'volume create',
  usage: 'msb volume create [OPTIONS] [POSITIONAL_NAME]',
  options: [
    { long: 'name', value: 'NAME' },
    { long: 'kind', value: 'KIND', possible: ['dir', 'disk'] },
    { long: 'size', value: 'SIZE' },
    { long: 'quiet', short: 'q' },
  ],
  positionals: [{ name: 'POSITIONAL_NAME' }],
};
const LIST = { name: 'volume list', usage: 'msb volume list [OPTIONS]', options: [{ long: 'format', value: 'FORMAT', possible: ['json'] }, { long: 'quiet', short: 'q' }], positionals: [] };
const REMOVE = { name: 'volume remove', usage: 'msb volume remove [OPTIONS] <NAMES>...', options: [{ long: 'quiet', short: 'q' }], positionals: [{ name: 'NAMES', multiple: true, required: true }] };

export function volumeCreate(argv, env) {
  const { opts, pos, help } = parseArgs(argv, CREATE);
  if (help) return usage(CREATE);
  const name = opts.name ?? pos.POSITIONAL_NAME;
  if (name === undefined) throw fail('volume name is required');
  checkVolumeName(name);
  const kind = opts.kind ?? 'dir';
  const capacity = opts.size === undefined ? null : parseSizeMib(opts.size) * 1024 * 1024;
  const home = msbHome(env);
  withState(home, (state) => {
    if (state.volumes[name]) throw fail(`volume already exists: ${name}`);
    state.volumes[name] = newVolume(name, kind, capacity);
  });
  mkdirSync(volumeDir(home, name), { recursive: true });
  if (!opts.quiet) process.stdout.write(`${name}\n`);
  return 0;
}

export function volumeList(argv, env) {
  const { opts, help } = parseArgs(argv, LIST);
  if (help) return usage(LIST);
  const volumes = withState(msbHome(env), (state) => Object.values(state.volumes)).sort((a, b) => (a.created_at < b.created_at ? 1 : -1));
  if (opts.format === 'json') printJson(volumes);
  else if (opts.quiet) process.stdout.write(volumes.map((v) => `${v.name}\n`).join(''));
  else table(['NAME', 'KIND', 'SIZE', 'CREATED'], volumes.map((v) => [v.name, v.kind, v.capacity_bytes ?? '-', shortTime(v.created_at)]));
  return 0;
}

export function volumeRemove(argv, env) {
  const { opts, pos, help } = parseArgs(argv, REMOVE);
  if (help) return usage(REMOVE);
  const home = msbHome(env);
  let failed = false;
  for (const name of pos.NAMES) {
    try {
      withState(home, (state) => {
        if (!state.volumes[name]) throw fail(`volume not found: ${name}`);
        delete state.volumes[name];
      });
      rmSync(volumeDir(home, name), { recursive: true, force: true });
      success('Removed', name, opts.quiet);
    } catch (error) {
      if (!(error instanceof MsbError)) throw error;
      failed = true;
      if (!opts.quiet) process.stderr.write(error.render());
    }
  }
  return failed ? 1 : 0;
}
