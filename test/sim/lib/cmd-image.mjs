// `msb load`, `msb pull`, `msb image inspect | ls | rm`. There is no registry: a pull of anything not cached fails
// the way msb fails offline. `image inspect` matches the stored reference text exactly (as msb does).
import { readFileSync } from 'node:fs';
import { parseArgs } from './args.mjs';
import { MsbError, fail } from './errors.mjs';
import { readImageArchive } from './image-archive.mjs';
import { msbHome } from './home.mjs';
import { findCached, listRow } from './images.mjs';
import { failure, printJson, shortTime, success, table, usage } from './output.mjs';
import { manifestUrl } from './refs.mjs';
import { snapshot, withState } from './state.mjs';
import { now } from './time.mjs';

const FORMAT = { long: 'format', value: 'FORMAT', possible: ['json'] };
const QUIET = { long: 'quiet', short: 'q' };
const LOAD = { name: 'load', usage: 'msb load [OPTIONS]', options: [{ long: 'input', short: 'i', value: 'PATH' }, { long: 'tag', short: 't', value: 'REF' }, QUIET], positionals: [] };
const PULL = {
  name: 'pull',
  usage: 'msb pull [OPTIONS] <REFERENCE>',
  options: [{ long: 'force', short: 'f' }, QUIET, { long: 'insecure' }, { long: 'ca-certs', value: 'PATH' }, { long: 'materialize', value: 'MATERIALIZE', possible: ['layered', 'flat', 'all'] }],
  positionals: [{ name: 'REFERENCE', required: true }],
};
const INSPECT = { name: 'image inspect', usage: 'msb image inspect [OPTIONS] <REFERENCE>', options: [FORMAT], positionals: [{ name: 'REFERENCE', required: true }] };
const LIST = { name: 'image list', usage: 'msb image list [OPTIONS]', options: [FORMAT, QUIET], positionals: [] };
const REMOVE = { name: 'image remove', usage: 'msb image remove [OPTIONS] <REFERENCES>...', options: [{ long: 'force', short: 'f' }, QUIET], positionals: [{ name: 'REFERENCES', multiple: true, required: true }] };

export function load(argv, env) {
  const { opts, help } = parseArgs(argv, LOAD);
  if (help) return usage(LOAD);
  let bytes;
  try {
    bytes = readFileSync(opts.input ?? 0);
  } catch (error) {
    throw fail(`cache error at ${opts.input}: ${error.code === 'ENOENT' ? 'No such file or directory (os error 2)' : error.message}`);
  }
  const images = readImageArchive(bytes, opts.tag);
  const loaded = withState(msbHome(env), (state) => {
    const refs = [];
    for (const { refs: names, image } of images) {
      for (const reference of names) {
        state.images[reference] = { ...image, created_at: now(), reference };
        refs.push(reference);
      }
    }
    return refs;
  });
  for (const ref of loaded) success('Loaded', ref, opts.quiet);
  return 0;
}

export function pull(argv, env) {
  const { opts, pos, help } = parseArgs(argv, PULL);
  if (help) return usage(PULL);
  const ref = pos.REFERENCE;
  const cached = withState(msbHome(env), (state) => findCached(state, ref));
  if (cached && !opts.force) {
    success('Pulled', `${ref} (already cached)`, opts.quiet);
    return 0;
  }
  failure('Pulling', ref, opts.quiet);
  throw fail(`registry error: error sending request for url (${manifestUrl(ref)})`);
}

export function imageInspect(argv, env) {
  const { opts, pos, help } = parseArgs(argv, INSPECT);
  if (help) return usage(INSPECT);
  const image = snapshot(msbHome(env)).images[pos.REFERENCE];
  if (!image) throw fail(`image not found: ${pos.REFERENCE}`);
  if (opts.format === 'json') printJson(image);
  else {
    const c = image.config;
    process.stdout.write(
      [
        `Reference:      ${image.reference}`,
        `Digest:         ${image.digest}`,
        `Architecture:   ${image.architecture}`,
        `OS:             ${image.os}`,
        `Created:        ${shortTime(image.created_at)}`,
        '',
        'Config',
        `  Entrypoint:   ${(c.entrypoint ?? []).join(' ') || '-'}`,
        `  Cmd:          ${(c.cmd ?? []).join(' ') || '-'}`,
        `  WorkingDir:   ${c.working_dir ?? '-'}`,
        `  User:         ${c.user ?? '-'}`,
        '',
      ].join('\n'),
    );
  }
  return 0;
}

export function imageList(argv, env) {
  const { opts, help } = parseArgs(argv, LIST);
  if (help) return usage(LIST);
  const images = Object.values(snapshot(msbHome(env)).images).sort((a, b) => (a.created_at < b.created_at ? 1 : -1));
  if (opts.format === 'json') printJson(images.map(listRow));
  else if (opts.quiet) process.stdout.write(images.map((i) => `${i.reference}\n`).join(''));
  else if (images.length === 0) process.stdout.write('No images found.\n');
  else table(['REFERENCE', 'DIGEST', 'SIZE', 'CREATED'], images.map((i) => [i.reference, i.digest.slice(0, 19), `${i.size_bytes} B`, shortTime(i.created_at)]));
  return 0;
}

export function imageRemove(argv, env) {
  const { opts, pos, help } = parseArgs(argv, REMOVE);
  if (help) return usage(REMOVE);
  let failed = false;
  for (const ref of pos.REFERENCES) {
    try {
      withState(msbHome(env), (state) => {
        if (!state.images[ref]) throw fail(`image not found: ${ref}`);
        delete state.images[ref];
      });
      success('Removed', ref, opts.quiet);
    } catch (error) {
      if (!(error instanceof MsbError)) throw error;
      failed = true;
      if (!opts.quiet) process.stderr.write(error.render());
    }
  }
  if (failed) throw fail('some images failed to remove');
  return 0;
}
