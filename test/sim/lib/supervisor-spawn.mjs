// Starts the lifecycle supervisor of a freshly booted sandbox (supervisor.mjs) when its config sets an idle timeout
// or a max duration — in msb that monitor lives in the sandbox's own host process (crates/runtime/lib/vm.rs).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { withState } from './state.mjs';

const SUPERVISOR = fileURLToPath(new URL('./supervisor.mjs', import.meta.url));

export function superviseLifecycle(home, name) {
  const bootId = withState(home, (state) => {
    const record = state.sandboxes[name];
    const { idle_timeout_secs: idle, max_duration_secs: max } = record?.config.lifecycle ?? {};
    return record && (idle != null || max != null) ? record.bootId : null;
  });
  if (bootId === null) return;
  const child = spawn(process.execPath, [SUPERVISOR, home, name, String(bootId)], { detached: true, stdio: 'ignore' });
  child.unref();
}
