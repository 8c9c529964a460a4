/**
 * Finding the msb binary, in the order users expect: an explicit `--msb PATH`, then `OWCTL_MSB`, then `MSB_PATH`,
 * then the platform package bundled with owctl, then `msb` on PATH. An explicit choice that does not work is an
 * error, never a silent fall-through to another binary. Empty environment values mean unset.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join, resolve } from 'node:path';
import { OwctlError } from '../errors.ts';

export const BUNDLED_PACKAGE = '@superradcompany/microsandbox-linux-x64-gnu';

export type MsbSource = 'flag' | 'OWCTL_MSB' | 'MSB_PATH' | 'bundled' | 'PATH';

export interface LocatedMsb {
  /** Absolute path of the binary. */
  path: string;
  source: MsbSource;
}

export interface LocateOptions {
  /** Value of `--msb`, resolved against `cwd` when relative. */
  flag?: string | undefined;
  env: NodeJS.ProcessEnv;
  /** Base for relative paths (default: the process's cwd). */
  cwd?: string;
  /** Path of the bundled binary, or null when the package is not installed; tests replace it. */
  bundled?: () => string | null;
}

export function locateMsb(options: LocateOptions): LocatedMsb {
  const { env } = options;
  const cwd = options.cwd ?? process.cwd();
  const explicit: Array<[MsbSource, string | undefined]> = [
    ['flag', options.flag],
    ['OWCTL_MSB', env.OWCTL_MSB],
    ['MSB_PATH', env.MSB_PATH],
  ];
  for (const [source, value] of explicit) {
    if (value === undefined || value === '') continue;
    const path = resolve(cwd, value);
    if (!isExecutable(path)) {
      throw new OwctlError('msb.not_found', `msb not found at ${path} (from ${describeSource(source)})`, {
        hint: `point ${source === 'flag' ? '--msb' : source} at the msb binary, or unset it to use the bundled one`,
        details: { path, source },
      });
    }
    return { path, source };
  }
  const bundled = (options.bundled ?? bundledMsb)();
  if (bundled !== null && isExecutable(bundled)) return { path: bundled, source: 'bundled' };
  const onPath = searchPath(env.PATH ?? '', cwd);
  if (onPath !== null) return { path: onPath, source: 'PATH' };
  throw new OwctlError('msb.not_found', 'msb (microsandbox) was not found', {
    hint: `reinstall owctl so it brings ${BUNDLED_PACKAGE}@0.6.18, or set OWCTL_MSB=/path/to/msb (or pass --msb)`,
  });
}

/** Where the bundled platform package keeps msb, or null when it is not installed. */
export function bundledMsb(): string | null {
  try {
    const require = createRequire(import.meta.url);
    return join(dirname(require.resolve(`${BUNDLED_PACKAGE}/package.json`)), 'bin', 'msb');
  } catch {
    return null;
  }
}

export function describeSource(source: MsbSource): string {
  switch (source) {
    case 'flag':
      return 'the --msb option';
    case 'OWCTL_MSB':
      return 'OWCTL_MSB';
    case 'MSB_PATH':
      return 'MSB_PATH';
    case 'bundled':
      return `the bundled npm package ${BUNDLED_PACKAGE}`;
    case 'PATH':
      return 'msb on PATH';
  }
}

function searchPath(pathVar: string, cwd: string): string | null {
  for (const dir of pathVar.split(delimiter)) {
    if (dir === '') continue;
    const candidate = resolve(cwd, dir, 'msb');
    if (isExecutable(candidate)) return candidate;
  }
  return null;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
