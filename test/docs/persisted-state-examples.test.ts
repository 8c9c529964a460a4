/**
 * Every store the OpenWork server keeps outside /data and /workspace (openwork-server.md, "Where state lives": the
 * token store, the env store of `PUT /env`, the server config with runtime.sqlite beside it, OpenCode's XDG folders)
 * is pointed into /data by `owctl init`'s starter and by every example file that binds /data, so a replacement keeps it.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { starter } from '../../src/commands/init.ts';
import { PERSISTED_STATE_ENV } from '../../src/config/persisted-state.ts';

const ROOT = join(import.meta.dirname, '..', '..');

/** The env each sandbox of a file gets (defaults.env under the sandbox's own), for sandboxes that bind /data. */
function envOfDataSandboxes(text: string): Array<[string, Record<string, unknown>]> {
  const doc = parse(text) as { defaults?: { env?: Record<string, unknown> }; sandboxes: Record<string, { env?: Record<string, unknown>; mounts?: Array<{ target: string }> }> };
  return Object.entries(doc.sandboxes)
    .filter(([, s]) => (s.mounts ?? []).some((m) => m.target === '/data'))
    .map(([name, s]) => [name, { ...doc.defaults?.env, ...s.env }]);
}

test('the server stores that must outlive a replacement include OPENWORK_ENV_STORE and OPENWORK_SERVER_CONFIG', () => {
  assert.equal(PERSISTED_STATE_ENV.OPENWORK_ENV_STORE, '/data/openwork/env.json');
  assert.equal(PERSISTED_STATE_ENV.OPENWORK_SERVER_CONFIG, '/data/openwork/server.json');
});

test('owctl init, the example files and the README file point every server store into /data', () => {
  const files: Array<[string, string]> = [
    ['owctl init', starter('./schemas/openwork.schema.json')],
    ['openwork.yaml', readFileSync(join(ROOT, 'openwork.yaml'), 'utf8')],
    ...readdirSync(join(ROOT, 'examples')).filter((f) => f.endsWith('.yaml')).map((f): [string, string] => [`examples/${f}`, readFileSync(join(ROOT, 'examples', f), 'utf8')]),
  ];
  let checked = 0;
  for (const [where, text] of files) {
    for (const [name, env] of envOfDataSandboxes(text)) {
      for (const [key, value] of Object.entries(PERSISTED_STATE_ENV)) assert.equal(env[key], value, `${where}: sandbox ${name} sets ${key}`);
      checked += 1;
    }
  }
  assert.ok(checked >= 4, `sandboxes with /data checked: ${checked}`);
});
