/**
 * msb's stderr becomes part of error messages, and msb echoes what it was given (an env value it rejects, a
 * token with a NUL byte): before anyone reads it, every secret owctl knows is redacted and terminal control
 * stripped. stdout is left alone: it is parsed, never shown as is (and inspect's env must compare exactly).
 */
import { sanitize } from '../secrets/relay.ts';
import type { SpawnResult, Spawner } from './run.ts';

export function redactingSpawner(inner: Spawner, secrets: () => readonly string[]): Spawner {
  const clean = (result: SpawnResult): SpawnResult => (result.stderr === '' ? result : { ...result, stderr: sanitize(result.stderr, secrets()) });
  return {
    run: async (request) => clean(await inner.run(request)),
    stream: (request) => {
      const handle = inner.stream(request);
      return { ...handle, done: handle.done.then(clean) };
    },
  };
}
