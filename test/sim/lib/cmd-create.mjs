// `msb create` and `msb run`: validate, record the sandbox, boot it. Order of checks as in msb 0.6.18: argument
// parsing, --conf, flag values, builder validation, --replace (deletes the old sandbox before the image is
// resolved), name taken, image (per pull policy; no registry here), named volumes, then the boot.
import { mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { parseArgs } from './args.mjs';
import { MsbError, fail } from './errors.mjs';
import { runInGuest } from './guest.mjs';
import { msbHome, volumeDir } from './home.mjs';
import { findCached } from './images.mjs';
import { manifestUrl, normaliseRef, parseRef } from './refs.mjs';
import { buildConfig } from './sandbox-config.mjs';
import { CREATE_SPEC, RUN_SPEC, sandboxSpec } from './sandbox-options.mjs';
import { UP, boot, forget, stop } from './sandboxes.mjs';
import { withState } from './state.mjs';
import { newVolume } from './volumes.mjs';
import { usage } from './output.mjs';
import { now } from './time.mjs';
import { validateSpec } from './validate.mjs';
import { bootHints } from './vm.mjs';

export async function create(argv, env) {
  const { opts, pos, help } = parseArgs(argv, CREATE_SPEC);
  if (help) return usage(CREATE_SPEC);
  const { name, generated } = await createAndBoot(opts, pos.IMAGE, env);
  if (generated) process.stdout.write(`${name}\n`);
  return 0;
}

export async function run(argv, env) {
  const { opts, pos, trailing, help } = parseArgs(argv, RUN_SPEC);
  if (help) return usage(RUN_SPEC);
  const home = msbHome(env);
  const { name, config } = await createAndBoot(opts, pos.IMAGE, env, trailing ?? []);
  const command = [...(config.runtime.entrypoint ?? []), ...(config.runtime.cmd ?? [])];
  if (command.length === 0) throw fail('no command to run: the image has no ENTRYPOINT or CMD and none was given');
  if (opts.detach) {
    // The VM lives as long as the command: a workload keeps it up; a trivial command ends it at once.
    const code = await runInGuest(home, name, command, { env, detach: true });
    if (!(await hasWorkload(home, name))) await stop(home, name);
    process.stdout.write(`${name}\n`);
    return code;
  }
  const code = await runInGuest(home, name, command, { env });
  await stop(home, name);
  return code;
}

async function createAndBoot(opts, image, env, runCommand = []) {
  const home = msbHome(env);
  const spec = sandboxSpec(opts, image, env);
  const generated = spec.name === undefined;
  spec.name ??= `msb-${randomBytes(4).toString('hex')}`;
  if (runCommand.length > 0) spec.cmd = runCommand;
  validateSpec(spec);
  if (opts.replace) await replace(home, spec.name);
  const { config, rollback } = withState(home, (state) => record(state, home, spec));
  const failure = await boot(home, spec.name, env, rollback, { fromCreate: true });
  if (failure !== null) throw new MsbError(`failed to start ${JSON.stringify(spec.name)}`, { hints: bootHints(spec.name, failure) });
  return { name: spec.name, config, generated };
}

function record(state, home, spec) {
  if (state.sandboxes[spec.name]) {
    throw fail(
      `sandbox already exists: sandbox '${spec.name}' already exists; remove it, start the stopped sandbox, or recreate with .replace()`,
    );
  }
  const image = spec.image.kind === 'oci' ? resolveImage(state, spec) : null;
  const rollback = [];
  for (const volume of spec.requireVolumes) if (!state.volumes[volume]) throw fail(`volume not found: ${volume}`);
  for (const volume of spec.autoCreate) {
    if (state.volumes[volume] || rollback.includes(volume)) continue;
    state.volumes[volume] = newVolume(volume);
    mkdirSync(volumeDir(home, volume), { recursive: true });
    rollback.push(volume);
  }
  const config = buildConfig(spec, image);
  const t = now();
  state.seq += 1;
  state.sandboxes[spec.name] = {
    seq: state.seq,
    name: spec.name,
    status: 'Starting',
    bootPid: process.pid,
    config,
    active_config: null,
    pending_changes: [],
    processes: [],
    created_at: t,
    updated_at: t,
  };
  return { config, rollback };
}

function resolveImage(state, spec) {
  const ref = spec.image.ref;
  if (parseRef(ref) === null) throw fail(`image error: invalid reference format: ${ref}`);
  const pull = spec.pull ?? 'IfMissing';
  const cached = findCached(state, ref);
  // No registry is reachable from the simulator: every pull fails the way msb fails offline.
  if (pull === 'Always' || (pull === 'IfMissing' && cached === null)) {
    throw fail(`image error: registry error: error sending request for url (${manifestUrl(ref)})`);
  }
  if (cached === null) throw fail(`image error: image not cached: ${normaliseRef(ref)}`);
  // msb records the reference it resolved under, so an alias shows up in `image ls` too.
  if (!state.images[ref]) state.images[ref] = { ...structuredClone(cached), reference: ref, created_at: now() };
  return cached;
}

async function replace(home, name) {
  const exists = withState(home, (state) => state.sandboxes[name] !== undefined);
  if (!exists) return;
  await stop(home, name);
  withState(home, (state) => {
    if (state.sandboxes[name] && !UP.has(state.sandboxes[name].status)) forget(home, state, name);
  });
}

async function hasWorkload(home, name) {
  return withState(home, (state) => (state.sandboxes[name]?.processes ?? []).length > 0);
}
