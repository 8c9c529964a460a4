/** src/msb's public surface: the only code in owctl that talks to msb (its CLI, and its SDK for reading state). */
export { Msb, PINNED_MSB_VERSION, DEFAULT_TIMEOUTS } from './driver.ts';
export type { BackendContext, ExecResult, LogOptions, MsbOptions, Timeouts } from './driver.ts';
export { locateMsb, describeSource, bundledMsb, BUNDLED_PACKAGE } from './locate.ts';
export type { LocatedMsb, LocateOptions, MsbSource } from './locate.ts';
export { observe } from './observe.ts';
export type { ObserveOptions } from './observe.ts';
export { liveObserver } from './live-observer.ts';
export type { LiveObserver, ObserverDeps } from './live-observer.ts';
export { chooseChannel, sdkFacts } from './sdk-channel.ts';
export type { ChannelChoice, ObserveChannel, SdkFacts } from './sdk-channel.ts';
export type { ModifyChanges, ModifyChange, ModifyOptions, ModifyResult } from './modify.ts';
export type { ListedSandbox } from './normalize.ts';
export type { Spawner, SpawnRequest, SpawnResult, StreamHandle } from './run.ts';
export { processSpawner } from './run.ts';
export { SERVER_STOP_WAIT_SECS, WORKLOAD_LAUNCH_SCRIPT, WORKLOAD_LOG } from './workload.ts';
export type { ServerStopOutcome } from './workload.ts';
export { effectiveMsbHome } from './env.ts';
export { mapLimit } from './map-limit.ts';
