/**
 * One observe of live msb state through one channel: the SDK when sdk-channel.ts allows it, else the CLI. A
 * snapshot never mixes channels: the SDK path either returns a whole snapshot or is discarded, and the CLI path then
 * observes from scratch. Server probes run after either, on the snapshot's running sandboxes.
 */
import type { DesiredState } from '../model/desired.ts';
import type { ObservedState } from '../model/observed.ts';
import type { BackendContext, Msb } from './driver.ts';
import type { LocatedMsb } from './locate.ts';
import { mapLimit } from './map-limit.ts';
import { observe, probeSafely, type ObserveOptions } from './observe.ts';
import { chooseChannel, sdkFacts, type ChannelChoice, type SdkFacts } from './sdk-channel.ts';
import { bindSdkHome, loadSdk, sdkBoundHome, type MicrosandboxSdk } from './sdk-load.ts';
import { observeWithSdk, projectSandboxes, type Handle } from './sdk-observe.ts';

export interface LiveObserver {
  readonly msb: Msb;
  /** The channel the next (or last) observe uses, and why; a failed SDK observe switches it to the CLI. */
  readonly choice: ChannelChoice;
  /** Starts what does not depend on the file (the SDK import, or `msb context`) so it overlaps loading it. */
  warm(): void;
  /**
   * On the SDK channel, starts listing the sandboxes of `project` (the file's project, read ahead of the checks) so
   * the list, msb's slowest answer, overlaps loading the file. observe uses it only for a file of that project.
   * Resolves once the list has been handed to msb's native threads (the SDK imported, the first pages asked for),
   * or at once when there is nothing to start; never rejects.
   */
  prefetch(project: string): Promise<void>;
  observe(desired: DesiredState, options: Omit<ObserveOptions, 'context'>): Promise<ObservedState>;
  /** For `owctl doctor`: when the SDK is chosen, loads it and lists one sandbox; the channel plans would use, and why. */
  check(): Promise<ChannelChoice>;
}

/** What the observer reads from the installed packages and how it loads the SDK; tests replace them. */
export interface ObserverDeps {
  facts?: SdkFacts;
  load?: () => Promise<MicrosandboxSdk>;
}

export function liveObserver(msb: Msb, located: LocatedMsb, env: NodeJS.ProcessEnv, deps: ObserverDeps = {}): LiveObserver {
  let choice = chooseChannel(located, env, deps.facts ?? sdkFacts(), process.env, sdkBoundHome());
  let context: Promise<BackendContext> | undefined;
  let sdk: Promise<MicrosandboxSdk> | undefined;
  const startSdk = () => {
    sdk ??= (deps.load ?? loadSdk)();
    sdk.catch(() => undefined); // reported by observe, which falls back
    return sdk;
  };
  const startContext = () => {
    context ??= msb.context();
    context.catch(() => undefined); // reported by observe
    return context;
  };
  const viaCli = (desired: DesiredState, options: Omit<ObserveOptions, 'context'>) => observe(msb, desired, { ...options, context: startContext() });
  let prefetched: { project: string; list: Promise<Handle[]> } | undefined;
  /** Only before the first observe: a later one (destroy confirming what is gone) lists afresh. */
  let prefetchable = true;
  return {
    msb,
    get choice() {
      return choice;
    },
    warm() {
      if (choice.channel === 'sdk') void startSdk();
      else void startContext();
    },
    prefetch(project) {
      if (choice.channel !== 'sdk' || !prefetchable || prefetched !== undefined) return Promise.resolve();
      let started = () => undefined as void;
      const asked = new Promise<void>((resolve) => (started = resolve));
      const list = startSdk().then((loaded) => {
        bindSdkHome(env.MSB_HOME ?? ''); // equal to the process's (chooseChannel checked)
        return projectSandboxes(loaded, project, undefined, started);
      });
      list.catch(() => undefined).finally(started); // observe lists again, or falls back to the CLI
      prefetched = { project, list };
      return asked;
    },
    async observe(desired, options) {
      if (choice.channel === 'cli') return viaCli(desired, options);
      let observed: ObservedState;
      try {
        const loaded = await startSdk();
        bindSdkHome(env.MSB_HOME ?? ''); // equal to the process's (chooseChannel checked)
        // A listing started for another project (the file's name was read ahead of the checks) is not this one;
        // and it serves one observe only: a later one (destroy confirming what is gone) lists afresh.
        const early = prefetched;
        prefetched = undefined;
        prefetchable = false;
        const listed = early?.project === desired.project ? early.list : undefined;
        observed = await observeWithSdk(loaded, desired, { parallelism: options.parallelism, ...(listed ? { listed } : {}) });
      } catch (error) {
        choice = sdkFailed(error);
        return viaCli(desired, options);
      }
      const probe = options.probe;
      if (probe !== undefined) {
        const running = observed.sandboxes.filter((s) => s.status === 'Running');
        await mapLimit(running, options.parallelism, async (sandbox) => void (sandbox.server = await probeSafely(probe, sandbox)));
      }
      return observed;
    },
    async check() {
      if (choice.channel === 'cli') return choice;
      try {
        const loaded = await startSdk();
        bindSdkHome(env.MSB_HOME ?? '');
        const backend = loaded.defaultBackendInfo();
        if (backend.kind !== 'local') throw new Error(`the SDK's backend is ${backend.kind}`);
        await loaded.Sandbox.listWith((list) => list.limit(1));
      } catch (error) {
        choice = sdkFailed(error);
      }
      return choice;
    },
  };
}

function sdkFailed(error: unknown): ChannelChoice {
  return { channel: 'cli', reason: `the SDK failed (${describe(error)}), so the CLI observes` };
}

/** One line, without the stack: the name and message of what failed (SDK errors carry no config values). */
function describe(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return (text.split('\n')[0] ?? '').slice(0, 200);
}
