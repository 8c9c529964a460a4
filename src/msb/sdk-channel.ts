/**
 * Which channel observes live state: the microsandbox Node SDK (one in-process list) or the msb CLI (one spawn per
 * sandbox). The SDK reads msb's state directly, so it is only trusted when it is the same release as the msb owctl
 * resolved: the bundled platform package, whose native binding the SDK loads, at the SDK's own version. Every other
 * case observes through the CLI, and so do all mutations.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { PINNED_MSB_VERSION } from './driver.ts';
import { BUNDLED_PACKAGE, describeSource, type LocatedMsb } from './locate.ts';

export const SDK_PACKAGE = 'microsandbox';

export type ObserveChannel = 'sdk' | 'cli';

export interface ChannelChoice {
  channel: ObserveChannel;
  /** One line saying why, for `owctl doctor` and OWCTL_DEBUG. */
  reason: string;
}

/** What decides the channel besides the located msb; gathered by sdkFacts(), replaced in tests. */
export interface SdkFacts {
  /** Version of the installed SDK package, or null when it is not installed. */
  sdkVersion: string | null;
  /** Version of the bundled platform package (the one holding msb and the binding), or null. */
  bundledVersion: string | null;
  /** Whether the bundled platform package carries the native binding file its package.json names. */
  binding: boolean;
  /** Whether the SDK resolves the same platform package as owctl does (not another copy elsewhere). */
  samePlatformPackage: boolean;
}

/** Variables the SDK reads from its process environment (it cannot be handed another one). */
const SDK_ENV = /^(MSB_|HOME$)/;

/**
 * The channel for a command running with `env`, given where msb was found. Pure: `facts` and `processEnv` are
 * passed in. `boundHome` is the MSB_HOME the SDK already opened in this process, if any (it keeps its first one).
 */
export function chooseChannel(located: LocatedMsb, env: NodeJS.ProcessEnv, facts: SdkFacts, processEnv: NodeJS.ProcessEnv, boundHome?: string): ChannelChoice {
  const cli = (reason: string): ChannelChoice => ({ channel: 'cli', reason });
  if (env.OWCTL_OBSERVE === 'cli') return cli('OWCTL_OBSERVE=cli');
  if (located.source !== 'bundled') return cli(`msb comes from ${describeSource(located.source)}, not the bundled package the SDK belongs to`);
  if (facts.sdkVersion === null) return cli(`the ${SDK_PACKAGE} SDK package is not installed`);
  if (facts.bundledVersion !== facts.sdkVersion) {
    return cli(`version mismatch: the ${SDK_PACKAGE} SDK is ${facts.sdkVersion}, the bundled msb package ${facts.bundledVersion ?? 'unknown'}`);
  }
  if (facts.sdkVersion !== PINNED_MSB_VERSION) {
    return cli(`the microsandbox SDK and msb are ${facts.sdkVersion}; owctl's SDK channel is proven against ${PINNED_MSB_VERSION} only`);
  }
  if (!facts.binding) return cli(`no native binding for ${process.platform}-${process.arch} in ${BUNDLED_PACKAGE}`);
  if (!facts.samePlatformPackage) return cli(`the ${SDK_PACKAGE} SDK resolves another copy of ${BUNDLED_PACKAGE} than owctl's msb`);
  const differs = [...new Set([...Object.keys(env), ...Object.keys(processEnv)])].filter((key) => SDK_ENV.test(key) && blank(env[key]) !== blank(processEnv[key]));
  if (differs.length > 0) return cli(`the SDK reads this process's environment, and ${differs.sort().join(', ')} differ from the command's`);
  const home = blank(env.MSB_HOME) ?? '';
  if (boundHome !== undefined && boundHome !== home) return cli('the SDK in this process is already bound to another MSB_HOME');
  return { channel: 'sdk', reason: `msb is the bundled ${facts.bundledVersion} and the ${SDK_PACKAGE} SDK is the same release` };
}

/** Empty means unset, as for msb itself. */
function blank(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/** Reads the facts from the installed packages: two or three small package.json reads, no import of the SDK. */
export function sdkFacts(): SdkFacts {
  const require = createRequire(import.meta.url);
  const bundled = packageJson(require, BUNDLED_PACKAGE);
  const sdk = packageJson(require, SDK_PACKAGE);
  let samePlatformPackage = false;
  if (bundled !== null && sdk !== null) {
    const fromSdk = packageJson(createRequire(sdk.path), BUNDLED_PACKAGE);
    samePlatformPackage = fromSdk !== null && fromSdk.path === bundled.path;
  }
  const main = typeof bundled?.json.main === 'string' ? bundled.json.main : null;
  return {
    sdkVersion: version(sdk),
    bundledVersion: version(bundled),
    binding: bundled !== null && main !== null && main.endsWith('.node') && existsSync(join(dirname(bundled.path), main)),
    samePlatformPackage,
  };
}

/** The package's package.json, found from its entry point (the SDK's `exports` does not expose package.json). */
function packageJson(require: NodeJS.Require, name: string): { path: string; json: Record<string, unknown> } | null {
  let dir: string;
  try {
    dir = dirname(require.resolve(name));
  } catch {
    return null;
  }
  for (; dir !== dirname(dir); dir = dirname(dir)) {
    const path = join(dir, 'package.json');
    if (!existsSync(path)) continue;
    try {
      const json = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
      if (json.name === name) return { path, json };
    } catch {
      return null;
    }
  }
  return null;
}

function version(found: { json: Record<string, unknown> } | null): string | null {
  return typeof found?.json.version === 'string' ? found.json.version : null;
}
