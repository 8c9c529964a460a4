// The idle-timeout and max-duration monitor of one run of one sandbox (crates/runtime/lib/vm.rs + heartbeat.rs in
// msb): it drains the sandbox when `max_duration_secs` have passed since boot, or when no exec session is open and
// no agent activity (exec start/end, touch) happened for `idle_timeout_secs`. Nothing else counts: traffic on a
// published port goes straight to the workload and this monitor never hears of it, as in msb.
// Usage: node supervisor.mjs HOME NAME BOOT_ID — exits when that run ends (stop, rm, reboot) or HOME disappears.
import { existsSync } from 'node:fs';
import { statePath } from './home.mjs';
import { stop } from './sandboxes.mjs';
import { withState } from './state.mjs';
import { sleep } from './time.mjs';

const [home, name, bootIdText] = process.argv.slice(2);
const bootId = Number(bootIdText);
const POLL_MS = 200;

function verdict(record) {
  if (!record || record.bootId !== bootId || record.status !== 'Running') return 'gone';
  const { idle_timeout_secs: idle, max_duration_secs: max } = record.config.lifecycle;
  const now = Date.now();
  if (max != null && now - record.bootedAt >= max * 1000) return 'max-duration';
  const open = Object.keys(record.sessions ?? {}).length > 0;
  if (idle != null && !open && now - record.activityAt >= idle * 1000) return 'idle';
  return null;
}

for (;;) {
  await sleep(POLL_MS);
  // A removed MSB_HOME (a finished test) ends the run without recreating the folder.
  if (!existsSync(statePath(home))) process.exit(0);
  const next = withState(home, (state) => verdict(state.sandboxes[name]));
  if (next === 'gone') process.exit(0);
  if (next !== null) {
    await stop(home, name, next);
    process.exit(0);
  }
}
