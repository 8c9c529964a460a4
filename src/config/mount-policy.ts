/**
 * Which host folders a sandbox may bind. A sandbox can read — and by default write — everything under a bind
 * source, so:
 *  - a source must be a folder (or not exist yet: owctl creates it), never a file;
 *  - sensitive host paths are refused whatever the file says: system folders, credentials under the home folder,
 *    msb's own state, and any folder holding one of those (`/`, `/home`, `~`);
 *  - a source outside the project folder needs an explicit allow: a folder listed under `allow_host_paths` in the
 *    file, or in the allowlist file (one folder per line; `OWCTL_ALLOWED_HOST_PATHS`, default
 *    `$XDG_CONFIG_HOME/owctl/allowed-host-paths`). Paths are compared after resolving symlinks.
 */
import { readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import type { DesiredSandbox } from '../model/desired.ts';
import type { Issue, Segment } from './issue.ts';

export interface MountPolicy {
  /** The project folder (the YAML file's folder). */
  projectDir: string;
  home: string;
  /** Folders bind sources outside the project may be in (absolute). */
  allowed: string[];
  /** Where the allowlist file is, for hints. */
  allowlistFile: string;
  msbHome: string;
}

const SYSTEM = ['/etc', '/root', '/proc', '/sys', '/dev', '/boot', '/run', '/var/run', '/var/lib', '/usr', '/bin', '/sbin', '/lib', '/lib64', '/lib32', '/opt/microsandbox'];
/** Host folders a sandbox may read when allowed, never write: the host's own records. */
const WRITE_PROTECTED = ['/var/log', '/var/spool', '/var/mail', '/var/cache', '/var/backups'];
const IN_HOME = ['.ssh', '.gnupg', '.aws', '.azure', '.kube', '.docker', '.config/gcloud', '.config/gh', '.config/owctl', '.netrc', '.npmrc', '.pypirc', '.git-credentials', '.password-store', '.local/share/keyrings'];

/** The allowlist file's location and its folders (missing file: none). */
export function readAllowlist(env: NodeJS.ProcessEnv, home: string): { file: string; folders: string[] } {
  const file = env.OWCTL_ALLOWED_HOST_PATHS || path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), 'owctl', 'allowed-host-paths');
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return { file, folders: [] };
  }
  const folders = text
    .split('\n')
    .map((line) => line.replace(/#.*$/, '').trim())
    .filter((line) => line !== '')
    .map((line) => (line === '~' ? home : line.startsWith('~/') ? path.join(home, line.slice(2)) : path.resolve(path.dirname(file), line)));
  return { file, folders };
}

/** What one existing path resolved to (symlinks followed), and whether it is a folder. */
interface Resolved {
  real: string;
  directory: boolean;
}

/**
 * The path with symlinks resolved as far as it exists (a source may not exist yet), and whether the path itself
 * exists as a folder (undefined: it does not exist). `target` is absolute and normalised (path.resolve's, as bind
 * sources are). `known` remembers what paths resolved to (null: missing) across the calls of one check: sources
 * share their parents.
 */
function canonical(target: string, known: Map<string, Resolved | null>): { path: string; directory?: boolean } {
  const rest: string[] = [];
  let current = target;
  for (;;) {
    let found = known.get(current);
    if (found === undefined) {
      // stat first: a missing path costs no exception (realpath throws, and most sources do not exist yet).
      const stat = statSync(current, { throwIfNoEntry: false });
      const real = stat === undefined ? null : realOrNull(current);
      found = real === null ? null : { real, directory: stat!.isDirectory() };
      known.set(current, found);
    }
    if (found !== null) {
      if (rest.length === 0) return { path: found.real, directory: found.directory };
      // found.real is normalised and the rest are plain names: joined without path.join's normalising pass.
      return { path: `${found.real === path.sep ? '' : found.real}${path.sep}${rest.reverse().join(path.sep)}` };
    }
    const parent = path.dirname(current);
    if (parent === current) return { path: target };
    rest.push(path.basename(current));
    current = parent;
  }
}

function realOrNull(target: string): string | null {
  try {
    return realpathSync.native(target);
  } catch {
    return null;
  }
}

const inside = (child: string, parent: string) => child === parent || child.startsWith(parent.endsWith(path.sep) ? parent : parent + path.sep);

/**
 * The sensitive place `source` is in or holds, if any. System folders count only outside the project folder (a
 * project may live under /var/lib or /opt, and binds its own subfolders), and never when they are the home folder
 * itself (root's home is /root); credentials, msb's state and the home folder itself count everywhere.
 */
function sensitive(source: string, project: string, places: Places): string | null {
  const { home, system, everywhere } = places;
  // Inside a project folder that neither holds nor lies in a sensitive place, nothing is sensitive (most sources).
  if (places.projectClean && inside(source, project)) return null;
  for (const place of system) {
    if (inside(place, source) || (inside(source, place) && !inside(source, project))) return place;
  }
  for (const place of everywhere) if (inside(source, place) || inside(place, source)) return place;
  if (inside(home, source)) return home;
  return null;
}

/** The policy's folders with symlinks resolved: once per policy, not once per mount (a file may bind thousands). */
interface Places {
  /** canonical()'s memory for this policy's checks. */
  known: Map<string, Resolved | null>;
  project: string;
  allowed: string[];
  home: string;
  system: string[];
  everywhere: string[];
  writeProtected: string[];
  /** No sensitive place is in the project folder, and the project folder is in none of the credential places. */
  projectClean: boolean;
}

const resolvedPlaces = new WeakMap<MountPolicy, Places>();

function placesOf(policy: MountPolicy): Places {
  let places = resolvedPlaces.get(policy);
  if (places === undefined) {
    const known = new Map<string, Resolved | null>();
    const resolve = (place: string) => canonical(path.resolve(place), known).path;
    const home = resolve(policy.home);
    const project = resolve(policy.projectDir);
    const system = SYSTEM.map(resolve).filter((place) => !inside(home, place));
    const everywhere = [...IN_HOME.map((p) => path.join(home, p)), resolve(policy.msbHome)];
    const projectClean = ![home, ...system, ...everywhere].some((place) => inside(place, project)) && !everywhere.some((place) => inside(project, place));
    const writeProtected = WRITE_PROTECTED.map(resolve);
    places = { known, project, allowed: [], home, system, everywhere, writeProtected, projectClean };
    // An allow that is or holds a sensitive place would cover it: such an allow counts for nothing.
    places.allowed = policy.allowed.map(resolve).filter((root) => sensitive(root, project, places!) === null);
    resolvedPlaces.set(policy, places);
  }
  return places;
}

export function checkBindSources(sandbox: DesiredSandbox, at: (...rest: Segment[]) => Segment[], policy: MountPolicy): Issue[] {
  const issues: Issue[] = [];
  const places = placesOf(policy);
  const { project, allowed } = places;
  sandbox.mounts.forEach((mount, index) => {
    if (mount.type !== 'bind' || /[\u0000-\u001f]/.test(mount.source)) return;
    const where = at('mounts', index, 'source');
    const { path: real, directory } = canonical(mount.source, places.known);
    if (directory === false) {
      issues.push({ path: where, message: `${mount.source} is a file, not a folder`, hint: 'bind a folder; owctl creates a missing one' });
      return;
    }
    const held = sensitive(real, project, places);
    if (held !== null) {
      issues.push({ path: where, message: `${mount.source} is or holds a sensitive host path (${held})`, hint: 'bind a folder of its own, such as ./.owctl/NAME/data: a sandbox can read and write what it binds' });
      return;
    }
    if (!mount.readonly) {
      const writable = writableProblem(real, places);
      if (writable !== null) {
        issues.push({ path: where, message: `${mount.source} ${writable}`, hint: 'bind a folder of its own, such as ./.owctl/NAME/workspace, or add readonly: true if the sandbox only reads it' });
        return;
      }
    }
    if (inside(real, project) || allowed.some((root) => inside(real, root))) return;
    issues.push({
      path: where,
      message: `${mount.source} is outside the project folder ${project}`,
      hint: `allow it explicitly: list the folder under allow_host_paths in the file, or in ${policy.allowlistFile}`,
    });
  });
  return issues;
}

/** Why a folder must not be bound writable, if it must not: it holds the project's own files, or host records. */
function writableProblem(real: string, places: Places): string | null {
  if (inside(places.project, real)) return 'holds the project folder (its .env and openwork.yaml) and is writable: the sandbox could read every secret there and rewrite the file';
  const record = places.writeProtected.find((place) => inside(real, place) && !inside(real, places.project));
  return record === undefined ? null : `is in ${record}, the host's own records, and is writable: the sandbox could rewrite them`;
}

/**
 * The file's allow_host_paths entries (`listed`, as written; `policy.allowed` starts with them, resolved) that are or
 * hold a sensitive place: each would otherwise allow binding it.
 */
export function checkAllowedFolders(policy: MountPolicy, listed: readonly string[]): Issue[] {
  const places = placesOf(policy);
  return listed.flatMap((entry, index): Issue[] => {
    const held = sensitive(canonical(path.resolve(policy.allowed[index] ?? entry), places.known).path, places.project, places);
    if (held === null) return [];
    return [{
      path: ['allow_host_paths', index],
      message: `${entry} is or holds sensitive host paths (${held}); an allow covers everything under it`,
      hint: 'name the folder itself that sandboxes need, e.g. /srv/shared/data (sensitive places are refused whatever is allowed)',
    }];
  });
}
