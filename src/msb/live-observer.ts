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
import { chooseChannel, sdkFacts, type ChannelChoice } from './sdk-channel.ts';
import { bindSdkHome, loadSdk, sdkBoundHome, type MicrosandboxSdk } from './sdk-load.ts';
import { observeWithSdk } from './sdk-observe.ts';

export interface LiveObserver {
  readonly msb: Msb;
  /** The channel the next (or last) observe uses, and why; a failed SDK observe switches it to the CLI. */
  readonly choice: ChannelChoice;
  /** Starts what does not depend on the file (the SDK import, or `msb context`) so it overlaps loading it. */
  warm(): void;
  observe(desired: DesiredState, options: Omit<ObserveOptions, 'context'>): Promise<ObservedState>;
}

export function liveObserver(msb: Msb, located: LocatedMsb, env: NodeJS.ProcessEnv): LiveObserver {
  let choice = chooseChannel(located, env, sdkFacts(), process.env, sdkBoundHome());
  let context: Promise<BackendContext> | undefined;
  let sdk: Promise<MicrosandboxSdk> | undefined;
  const startSdk = () => {
    sdk ??= loadSdk();
    sdk.catch(() => undefined); // reported by observe, which falls back
    return sdk;
  };
  const startContext = () => {
    context ??= msb.context();
    context.catch(() => undefined); // reported by observe
    return context;
  };
  const viaCli = (desired: DesiredState, options: Omit<ObserveOptions, 'context'>) => observe(msb, desired, { ...options, context: startContext() });
  return {
    msb,
    get choice() {
      return choice;
    },
    warm() {
      if (choice.channel === 'sdk') void startSdk();
      else void startContext();
    },
    async observe(desired, options) {
      if (choice.channel === 'cli') return viaCli(desired, options);
      let observed: ObservedState;
      try {
        const loaded = await startSdk();
        bindSdkHome(env.MSB_HOME ?? ''); // equal to the process's (chooseChannel checked)
        observed = await observeWithSdk(loaded, desired, { parallelism: options.parallelism });
      } catch (error) {
        choice = { channel: 'cli', reason: `the SDK failed (${describe(error)}); observed through the CLI` };
        return viaCli(desired, options);
      }
      const probe = options.probe;
      if (probe !== undefined) {
        const running = observed.sandboxes.filter((s) => s.status === 'Running');
        await mapLimit(running, options.parallelism, async (sandbox) => void (sandbox.server = await probeSafely(probe, sandbox)));
      }
      return observed;
    },
  };
}

/** One line, without the stack: the name and message of what failed (SDK errors carry no config values). */
function describe(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return (text.split('\n')[0] ?? '').slice(0, 200);
}
