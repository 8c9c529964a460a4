// SIMULATOR-ONLY FAKE CLOCK (msb has no such thing): lets time pass for the idle-timeout and max-duration monitor
// (supervisor.mjs) without waiting for it. advanceLifecycleClock(home, ms) moves the boot time and the last agent
// activity of every running sandbox `ms` into the past, under the state lock — for that monitor exactly as if `ms`
// had gone by with no exec activity. Nothing else sees it: timestamps in `ls`/`inspect`/logs, published-port traffic
// and owctl's own clock are untouched. Tests reach it through Project.advanceIdleClock (test/e2e/harness.ts).
import { withState } from './state.mjs';

export function advanceLifecycleClock(home, ms) {
  if (!Number.isFinite(ms) || ms < 0) throw new Error(`advanceLifecycleClock: invalid ms ${ms}`);
  return withState(home, (state) => {
    const moved = [];
    for (const [name, record] of Object.entries(state.sandboxes)) {
      if (record.status !== 'Running') continue;
      if (typeof record.bootedAt === 'number') record.bootedAt -= ms;
      if (typeof record.activityAt === 'number') record.activityAt -= ms;
      moved.push(name);
    }
    return moved;
  });
}
