/**
 * Observe through the microsandbox SDK: the same snapshot as observe.ts takes with the CLI, in-process. One
 * paginated, label-filtered list gives every project sandbox with its stored config (`configJson` is `msb inspect`'s
 * `config`); a lookup by name of each declared sandbox the list did not return finds names held by others
 * (conflicts); one image inspect per declared image; the system log of each stopped sandbox with an idle timeout or
 * a max duration (did msb's own policy stop it? see stop-cause.ts). Each answer is reshaped into msb's JSON and normalised by
 * normalize.ts, the CLI path's own code, so both channels produce the same ObservedState by construction.
 * Throws on anything unexpected; the caller then observes through the CLI from scratch.
 */
import type { DesiredState } from '../model/desired.ts';
import { LABEL_PROJECT } from '../model/labels.ts';
import type { ObservedImage, ObservedSandbox, ObservedState, SandboxStatus, StopCause } from '../model/observed.ts';
import { mapLimit } from './map-limit.ts';
import { normaliseImage, normaliseSandbox, withoutImplicitTmp } from './normalize.ts';
import type { MicrosandboxSdk } from './sdk-load.ts';
import { STOP_CAUSE_TAIL, stopCauseFromEntries } from './stop-cause.ts';

export interface SdkObserveOptions {
  /** Most lookups in flight at once. */
  parallelism: number;
  /** Sandboxes per list page (1–100). */
  pageSize?: number;
  /** The project's sandboxes, listed already (projectSandboxes, started while the file loaded). */
  listed?: Promise<Handle[]>;
}

export type Handle = Awaited<ReturnType<MicrosandboxSdk['Sandbox']['get']>>;

/** msb 0.6.18 accepts 1–100 per page. */
const DEFAULT_PAGE_SIZE = 100;

/** The SDK's lower-case status names → msb's CLI names. */
const STATUS: Record<string, SandboxStatus> = {
  created: 'Created',
  starting: 'Starting',
  running: 'Running',
  draining: 'Draining',
  paused: 'Paused',
  stopped: 'Stopped',
  crashed: 'Crashed',
};

/** Without server probes (the caller probes, as for the CLI channel). */
export async function observeWithSdk(sdk: MicrosandboxSdk, desired: DesiredState, options: SdkObserveOptions): Promise<ObservedState> {
  const backend = sdk.defaultBackendInfo();
  if (backend.kind !== 'local') throw new Error(`the SDK's backend is ${backend.kind}`);
  const listed = await (options.listed ?? projectSandboxes(sdk, desired.project, options.pageSize));
  const seen = new Set(listed.map((handle) => handle.name));
  const unlisted = [...new Set(desired.sandboxes.map((s) => s.name))].filter((name) => !seen.has(name)).sort();
  const held = await mapLimit(unlisted, options.parallelism, (name) => getOrNull(sdk, name));
  const declared = new Map(desired.sandboxes.map((s) => [s.name, s]));
  const sandboxes = [...listed, ...held.filter((h): h is Handle => h !== null)].map((handle) => {
    const sandbox = sandboxOf(handle);
    const spec = declared.get(sandbox.name);
    if (spec !== undefined) sandbox.mounts = withoutImplicitTmp(sandbox.mounts, spec.mounts);
    return sandbox;
  });
  sandboxes.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const handles = new Map([...listed, ...held.filter((h): h is Handle => h !== null)].map((h) => [h.name, h]));
  const stopped = sandboxes.filter((s) => s.status === 'Stopped' && (s.idleTimeoutSecs !== null || s.maxDurationSecs !== null));
  await mapLimit(stopped, options.parallelism, async (sandbox) => {
    const cause = await stopCauseOf(handles.get(sandbox.name)!);
    if (cause !== null) sandbox.stoppedBy = cause;
  });
  const refs = [...new Set(desired.sandboxes.map((s) => s.image.ref))].sort();
  const images = await mapLimit(refs, options.parallelism, (ref) => imageOrNull(sdk, ref));
  return { backend: 'local', sandboxes, images: Object.fromEntries(refs.map((ref, i) => [ref, images[i] ?? null])) };
}

/**
 * Every sandbox carrying the project's label: the one list a snapshot needs (the rest is per declared name). It
 * needs only the project's name, so it can start before the file is fully checked; msb lists in native threads.
 * `started` is called once the first pages have been asked for (or the list has failed).
 */
export function projectSandboxes(sdk: MicrosandboxSdk, project: string, pageSize = DEFAULT_PAGE_SIZE, started?: () => void): Promise<Handle[]> {
  return listLabelled(sdk, LABEL_PROJECT, project, pageSize, started ?? (() => undefined));
}

type Page = Awaited<ReturnType<MicrosandboxSdk['Sandbox']['listWith']>>;

/**
 * msb's own walk through the pages (each page from the cursor the one before returned), with pages fetched ahead on
 * guessed cursors. In msb 0.6.18, the only release this channel runs on, pages go down the row ids and a cursor is
 * the last row's id in base64, so pages can be listed at the same time in msb's native threads (one page of 100
 * costs 40–60 ms there), even while this thread is busy checking the file. A one-row list first gives the
 * project's newest row, from which the first pages' cursors follow when the project's rows are contiguous. A guess
 * is used only when the walk itself reaches that cursor, so a wrong guess (other sandboxes created in between)
 * costs work, not a wrong answer; a cursor of another shape gets no guesses.
 */
async function listLabelled(sdk: MicrosandboxSdk, key: string, value: string, pageSize: number, started: () => void): Promise<Handle[]> {
  const all: Handle[] = [];
  const names = new Set<string>();
  const pages = new Map<string, Promise<Page>>();
  const list = (cursor: string | undefined, limit = pageSize): Promise<Page> => {
    const known = pages.get(cursor ?? '');
    if (known !== undefined) return known;
    const page = sdk.Sandbox.listWith((l) => (cursor === undefined ? l : l.cursor(cursor)).label(key, value).limit(limit));
    if (limit === pageSize) pages.set(cursor ?? '', page);
    return page;
  };
  const guessAhead = (cursor: string, from: string | undefined, count: number) => {
    // Errors of a guess that the walk never reaches are of no interest.
    for (const guess of guessCursors(cursor, from, pageSize, count)) if (!pages.has(guess)) list(guess).catch(() => undefined);
  };
  try {
    // The newest row's cursor is its id: the first page ends `pageSize` rows further down, if the rows run on.
    const newest = await list(undefined, 1);
    const top = newest.nextCursor === undefined ? null : nextRowCursor(newest.nextCursor);
    list(undefined).catch(() => undefined);
    if (top !== null) guessAhead(top, undefined, AHEAD);
  } finally {
    started();
  }
  let cursor: string | undefined;
  let hits = 0;
  do {
    const guessed = pages.has(cursor ?? '');
    const page = await list(cursor);
    if (guessed && cursor !== undefined) hits++;
    for (const handle of page.sandboxes) {
      // A page boundary moving under concurrent writes must not count a sandbox twice.
      if (!names.has(handle.name)) all.push(handle);
      names.add(handle.name);
    }
    if (page.nextCursor !== undefined && page.nextCursor === cursor) throw new Error('the SDK returned the same list cursor twice');
    const next = page.sandboxes.length === 0 ? undefined : page.nextCursor;
    if (next !== undefined) guessAhead(next, cursor, hits > 0 ? AHEAD : AHEAD_UNPROVEN);
    cursor = next;
  } while (cursor !== undefined);
  return all;
}

/** Pages listed ahead: from the project's newest row, or once a guess has proved right (AHEAD); else AHEAD_UNPROVEN. */
const AHEAD = 8;
const AHEAD_UNPROVEN = 2;

/**
 * The cursors of the `count` pages after the one that returned `cursor`: the same distance apart as `cursor` and
 * the cursor before it (`from`), or a page size apart, spelt alike. None unless `cursor` has msb 0.6.18's shape: a
 * row id in base64 (msb leaves out the padding).
 */
export function guessCursors(cursor: string, from: string | undefined, pageSize: number, count: number): string[] {
  const at = rowId(cursor);
  if (at === null) return [];
  const before = from === undefined ? null : rowId(from);
  const step = before !== null && before.id > at.id ? before.id - at.id : pageSize;
  const guesses: string[] = [];
  for (let id = at.id - step; id > 0 && guesses.length < count; id -= step) guesses.push(Buffer.from(String(id)).toString(at.encoding));
  return guesses;
}

/** The row id a cursor carries, and its base64 spelling (msb's has no padding). */
function rowId(cursor: string): { id: number; encoding: 'base64' | 'base64url' } | null {
  const text = Buffer.from(cursor, 'base64').toString('latin1');
  if (!/^[1-9][0-9]{0,14}$/.test(text)) return null;
  for (const encoding of ['base64url', 'base64'] as const) if (Buffer.from(text, 'latin1').toString(encoding) === cursor) return { id: Number(text), encoding };
  return null;
}

/** The cursor of the row above `cursor`'s (the first page's, as if it had one), in the same spelling; null if not a row id. */
function nextRowCursor(cursor: string): string | null {
  const at = rowId(cursor);
  return at === null ? null : Buffer.from(String(at.id + 1)).toString(at.encoding);
}

async function getOrNull(sdk: MicrosandboxSdk, name: string): Promise<Handle | null> {
  try {
    return await sdk.Sandbox.get(name);
  } catch (error) {
    if ((error as { code?: unknown }).code === 'sandboxNotFound') return null;
    throw error;
  }
}

function sandboxOf(handle: Handle): ObservedSandbox {
  if (handle.backendKind !== 'local') throw new Error(`sandbox ${handle.name} is on the ${handle.backendKind} backend`);
  const status = STATUS[handle.status];
  if (status === undefined) throw new Error(`unknown sandbox status ${JSON.stringify(handle.status)}`);
  // configJson is inspect's `config`: the CLI's normaliser reads it, so both channels agree field by field.
  return normaliseSandbox({ name: handle.name, status, config: JSON.parse(handle.configJson) as unknown });
}

async function imageOrNull(sdk: MicrosandboxSdk, ref: string): Promise<ObservedImage | null> {
  let detail: Awaited<ReturnType<MicrosandboxSdk['Image']['inspect']>>;
  try {
    detail = await sdk.Image.inspect(ref);
  } catch (error) {
    if ((error as { code?: unknown }).code === 'imageNotFound') return null;
    throw error;
  }
  // `msb image inspect`'s shape: top-level reference and manifest digest, the image config below.
  const config = detail.config;
  return normaliseImage({
    reference: detail.handle.reference,
    digest: detail.handle.manifestDigest,
    config: config === null ? {} : { env: config.env, entrypoint: config.entrypoint ?? [], cmd: config.cmd ?? [] },
  });
}

/** Like the CLI channel's `msb logs --source system`: an unreadable log means "cause unknown". */
async function stopCauseOf(handle: Handle): Promise<StopCause | null> {
  try {
    const entries = await handle.logs({ sources: ['system'], tail: STOP_CAUSE_TAIL });
    return stopCauseFromEntries(entries.map((entry) => ({ source: entry.source, text: entry.text() })));
  } catch {
    return null;
  }
}
