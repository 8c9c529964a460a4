/**
 * Reading why msb stopped a sandbox from its system log. The lines are msb's own (crates/runtime/lib/vm.rs at
 * v0.6.14; the same texts are in the 0.6.18 binary); the boot and error lines are as the real 0.6.18 printed them.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stopCauseFromSystemLog } from '../../src/msb/stop-cause.ts';

const entry = (d: string, s = 'system') => JSON.stringify({ d: `${d}\n`, e: null, id: null, s, t: '2026-12-01T21:22:44.205Z' });
const BOOT = entry('INFO microsandbox_runtime::vm: sandbox starting sandbox=alice');
const RELAY = entry('INFO microsandbox_runtime::relay: agent relay listening on /home/run/sandboxes/2d71/agent.sock');
const IDLE = entry('INFO microsandbox_runtime::vm: sandbox idle, requesting guest shutdown idle_secs=1800 heartbeat_seq=Some(9) activity_seq=Some(3) idle_for=Some(1800.2s) active_exec_sessions=0 active_fs_streams=0 active_tcp_streams=0');
const FLUSH = entry('INFO microsandbox_runtime::vm: idle shutdown flush window elapsed, triggering host exit');
const MAX = entry('INFO microsandbox_runtime::vm: max duration 28800s exceeded, triggering exit');
const STOPPED = entry('--- sandbox stopped ---');

describe('stop cause from msb logs --source system --json', () => {
  it('an idle drain or a max-duration drain ending the latest run', () => {
    assert.equal(stopCauseFromSystemLog([BOOT, RELAY, IDLE, FLUSH, STOPPED].join('\n')), 'idle_timeout');
    assert.equal(stopCauseFromSystemLog([BOOT, RELAY, MAX, STOPPED].join('\n')), 'max_duration');
  });

  it('nothing when a later boot followed (then stopped by hand, crashed or still running)', () => {
    assert.equal(stopCauseFromSystemLog([BOOT, IDLE, STOPPED, BOOT, RELAY, STOPPED].join('\n')), null);
    assert.equal(stopCauseFromSystemLog([BOOT, RELAY, STOPPED].join('\n')), null);
  });

  it('ignores workload output and boot-error records that mention the same words, and malformed lines', () => {
    const spoof = entry('sandbox idle, requesting guest shutdown', 'stdout');
    const bootError = JSON.stringify({ d: '{"stage":"image"}', s: 'boot-error', t: '2026-12-01T21:22:44.213Z' });
    assert.equal(stopCauseFromSystemLog([BOOT, spoof, bootError, 'not json', ''].join('\n')), null);
  });
});
