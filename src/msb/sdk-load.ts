/**
 * Loads the microsandbox SDK on first use only (its import and native binding cost 30–50 ms; most commands never
 * need it). The SDK opens msb's state under the MSB_HOME of its process environment on its first call and keeps it
 * for the life of the process, so the home it was first used with is remembered (sdk-channel.ts refuses another).
 */
export type MicrosandboxSdk = typeof import('microsandbox');

let loading: Promise<MicrosandboxSdk> | undefined;
let boundHome: string | undefined;

export function loadSdk(): Promise<MicrosandboxSdk> {
  loading ??= import('microsandbox');
  return loading;
}

/** Call before the SDK's first state access with the MSB_HOME it is about to open ('' for msb's default). */
export function bindSdkHome(home: string): void {
  boundHome ??= home;
}

/** The MSB_HOME the SDK opened in this process, if it opened one. */
export function sdkBoundHome(): string | undefined {
  return boundHome;
}
