/** A Spawner that runs the real one and records every request, to assert on argv and on what each call saw. */
import type { SpawnRequest, SpawnResult, Spawner } from '../../src/msb/run.ts';
import { processSpawner } from '../../src/msb/run.ts';

export interface Recording extends Spawner {
  requests: SpawnRequest[];
  /** What each finished `run` call answered (stream calls have no entry). */
  results: Map<SpawnRequest, SpawnResult>;
  /** Subcommands in call order (`inspect`, `image`, …). */
  subcommands(): string[];
}

export function recordingSpawner(inner: Spawner = processSpawner, onRun?: (request: SpawnRequest) => Promise<void>): Recording {
  const requests: SpawnRequest[] = [];
  const results = new Map<SpawnRequest, SpawnResult>();
  return {
    requests,
    results,
    subcommands: () => requests.map((request) => request.args[0] ?? ''),
    async run(request) {
      requests.push(request);
      if (onRun) await onRun(request);
      const result = await inner.run(request);
      results.set(request, result);
      return result;
    },
    stream(request) {
      requests.push(request);
      return inner.stream(request);
    },
  };
}
