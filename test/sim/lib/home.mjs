// Where the simulator keeps its state: under $MSB_HOME (default ~/.microsandbox; an empty value means unset), in
// files of its own (sim-*), so it never touches a real msb's db/ or cache/.
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export function msbHome(env = process.env) {
  const explicit = env.MSB_HOME;
  return explicit !== undefined && explicit !== '' ? resolve(explicit) : join(env.HOME || homedir(), '.microsandbox');
}

export const statePath = (home) => join(home, 'sim-state.json');
export const lockPath = (home) => join(home, 'sim-state.lock');
export const sandboxDir = (home, name) => join(home, 'sandboxes', name);
export const outputLog = (home, name) => join(sandboxDir(home, name), 'output.log');
export const systemLog = (home, name) => join(sandboxDir(home, name), 'system.jsonl');
export const bootErrorFile = (home, name) => join(sandboxDir(home, name), 'boot-error.json');
export const volumeDir = (home, name) => join(home, 'volumes', name);
