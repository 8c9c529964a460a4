/**
 * How the server's runtime addresses sandboxes, read from an endpoint it gave. With Docker host networking every
 * sandbox's endpoint for a port is `{server.host}:{port}`, the guest port itself: a new sandbox cannot run beside the
 * old one (it exits, EADDRINUSE), and verifying "the new one" reaches the old. Bridge networking answers
 * `host:<execd port>/proxy/<port>`, Kubernetes a per-sandbox host or path: those differ per sandbox.
 */
import type { BackendCapabilities } from '../model/capabilities.ts';
import { OPENSANDBOX_CAPABILITIES } from './capabilities.ts';

export const HOST_NETWORK_REASON =
  'this server gives every sandbox the same address (its host and the guest port: host networking), so a new sandbox cannot serve beside the old one';

/** Whether `endpoint` (no scheme, as the server answers) is the shared host address of guest port `port`. */
export function isSharedHostAddress(endpoint: string, port: number): boolean {
  const match = /^(?:https?:\/\/)?(?:\[[^\]]+\]|[^/:@]+):(\d+)\/?$/.exec(endpoint);
  return match !== null && Number(match[1]) === port;
}

/** The capabilities for a server seen to use host networking: replacements delete first, with the reason shown. */
export function capabilitiesFor(sharedAddress: boolean): BackendCapabilities {
  return sharedAddress ? { ...OPENSANDBOX_CAPABILITIES, createBeforeDestroy: false, deleteFirstBecause: HOST_NETWORK_REASON, sharedServerPorts: true } : OPENSANDBOX_CAPABILITIES;
}
