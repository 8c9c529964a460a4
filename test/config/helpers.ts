/** Shared bits for config tests: a fixed environment and temporary folders holding an openwork.yaml. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export const TEST_ENV: NodeJS.ProcessEnv = {
  OPENWORK_TOKEN: 'client-token-0123456789',
  OPENWORK_HOST_TOKEN: 'host-token-0123456789ab',
  BOB_OPENWORK_TOKEN: 'bob-client-token-0123456789',
  BOB_OPENWORK_HOST_TOKEN: 'bob-host-token-0123456789',
  EMPTY_VAR: '',
  HOME: '/home/tester',
};

/** Runs `body` with a fresh folder; `files` maps names to contents written first. */
export async function withFiles<T>(files: Record<string, string | Uint8Array>, body: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'owctl-config-'));
  try {
    for (const [name, content] of Object.entries(files)) await writeFile(path.join(dir, name), content);
    return await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The smallest valid file, with `extra` lines appended under sandbox alice. */
export function minimalYaml(extra = ''): string {
  return [
    'version: 1',
    'project: demo',
    'sandboxes:',
    '  alice:',
    '    image: openwork-microsandbox:dev',
    '    tokens: { client: "${OPENWORK_TOKEN}", host: "${OPENWORK_HOST_TOKEN}" }',
    extra,
  ].join('\n');
}
