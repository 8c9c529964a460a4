/** Turns an `update` change into the `msb modify` patch that makes it so: a mechanical mapping of its fields. */
import { ownedLabels } from '../model/applied.ts';
import type { DesiredSandbox } from '../model/desired.ts';
import { credentialsOf, guestEnv } from '../model/desired.ts';
import { LABEL_PROTECT, LABEL_SERVER_PORT } from '../model/labels.ts';
import { DEFAULT_SERVER_PORT } from '../model/server-port.ts';
import type { Change } from '../model/plan.ts';
import type { ModifyPatch } from './runtime.ts';

export function modifyPatch(project: string, change: Change, sandbox: DesiredSandbox): ModifyPatch {
  const env = guestEnv(sandbox);
  const patch: ModifyPatch = { env: {}, envRemove: [], labels: {}, labelRemove: [] };
  for (const field of change.fields) {
    if (field.path === 'resources.cpus') patch.cpus = sandbox.cpus;
    else if (field.path === 'resources.memory') patch.memoryMib = sandbox.memoryMib;
    else if (field.path === 'max_duration' && field.disposition === 'live') patch.maxDurationSecs = sandbox.maxDurationSecs;
    else if (field.path.startsWith('env.')) {
      const key = field.path.slice('env.'.length);
      const value = env[key];
      if (value === undefined) patch.envRemove.push(key);
      else patch.env[key] = value;
    } else if (field.path.startsWith('credentials.')) {
      const key = field.path.slice('credentials.'.length).replace(/\.(hosts|value)$/, '');
      if (credentialsOf(sandbox)[key] === undefined) (patch.secretRemove ??= []).push(key);
      else (patch.secrets ??= []).push(key);
      patch.credentials = credentialsOf(sandbox);
    } else if (field.path.startsWith('labels.')) {
      const key = field.path.slice('labels.'.length);
      const value = sandbox.labels[key];
      if (value === undefined) patch.labelRemove.push(key);
      else patch.labels[key] = value;
    }
  }
  if (patch.secrets !== undefined) patch.secrets = [...new Set(patch.secrets)];
  // owctl's own labels always follow what was applied (ownership, config hash, applied record, protect).
  Object.assign(patch.labels, ownedLabels(project, sandbox));
  if (!sandbox.protect && change.fields.some((f) => f.path === 'protect')) patch.labelRemove.push(LABEL_PROTECT);
  // Back to the image's port: its variable goes (an env change), and so does the recorded port.
  if (sandbox.serverPort === DEFAULT_SERVER_PORT && change.fields.some((f) => f.path === `env.${sandbox.serverPortEnv}`)) patch.labelRemove.push(LABEL_SERVER_PORT);
  return patch;
}
