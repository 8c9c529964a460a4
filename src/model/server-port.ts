/**
 * The guest port of a sandbox's OpenWork server: `server.port` for a declared sandbox; for a live one, the port
 * owctl recorded on it when it was not the image's 8787 (so a sandbox made before the setting existed reads 8787).
 */
import { LABEL_SERVER_PORT } from './labels.ts';

export const DEFAULT_SERVER_PORT = 8787;

/** A declared sandbox (`serverPort`) or a live one (its labels). */
export type ServerPortSource = { serverPort: number } | { labels: Record<string, string> };

/** What owctl records on a sandbox for its server's port: nothing for the image's 8787, so older sandboxes match. */
export function serverPortLabels(sandbox: { serverPort: number }): Record<string, string> {
  return sandbox.serverPort === DEFAULT_SERVER_PORT ? {} : { [LABEL_SERVER_PORT]: String(sandbox.serverPort) };
}

export function serverPortOf(sandbox: ServerPortSource): number {
  if ('serverPort' in sandbox) return sandbox.serverPort;
  const recorded = Number(sandbox.labels[LABEL_SERVER_PORT]);
  return Number.isInteger(recorded) && recorded >= 1 && recorded <= 65535 ? recorded : DEFAULT_SERVER_PORT;
}
