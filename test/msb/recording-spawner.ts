/** A Spawner that runs the real one and records every request, to assert on argv and on what each call saw. */
import type { SpawnRequest, Spawner } from '../../src/msb/run.ts';
import { processSpawner } from '../../src/msb/run.ts';

export interface Recording extends Spawner {
  requests: SpawnRequest[];
  /** Subcommands in call order (`inspect`, `image`, …). */
  subcommands(): string[];
}

export function recordingSpawner(inner: Spawner = processSpawner, onRun?: (request: SpawnRequest) => Promise<void>): Recording {
  const requests: SpawnRequest[] = [];
  return {
    requests,
    subcommands: () => requests.map((request) => request.args[0] ?? ''),
    async run(request) {
      requests.push(request);
      if (onRun) await onRun(request);
      return inner.run(request);
    },
    stream(request) {
      requests.push(request);
      return inner.stream(request);
    },
  };
}
