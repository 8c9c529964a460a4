// Runs owctl as users do (bin/owctl.js) and reports, on stderr at exit, its peak RSS (for hosts without
// /usr/bin/time) and the CPU time of this process alone (msb children excluded), which a loaded host disturbs far
// less than wall time:  node bench/rss-wrapper.mjs -f FILE plan   → last stderr line
// `cpu_ms=N msb_threads_cpu_ms=N maxrss_kib=N`.
//
// msb_threads_cpu_ms is the share of that CPU spent in the threads of msb's native binding (the SDK channel): its
// async runtime's workers and its SQLite connections' threads, which the binding names (tokio-…, sqlx-…), read from
// /proc/self/task/*/schedstat (nanoseconds). Through the CLI channel the same work runs in msb child processes,
// which the process's CPU time never includes; -1 when /proc cannot be read.
import { readFileSync, readdirSync } from 'node:fs';

const MSB_THREADS = /^(tokio-|sqlx-)/;

function msbThreadsCpuMs() {
  let ns = 0;
  try {
    for (const tid of readdirSync('/proc/self/task')) {
      const name = readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim();
      if (MSB_THREADS.test(name)) ns += Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    }
  } catch {
    return -1;
  }
  return ns / 1e6;
}

process.on('exit', () => {
  const usage = process.resourceUsage();
  const cpu = (usage.userCPUTime + usage.systemCPUTime) / 1000;
  process.stderr.write(`cpu_ms=${cpu.toFixed(1)} msb_threads_cpu_ms=${msbThreadsCpuMs().toFixed(1)} maxrss_kib=${usage.maxRSS}\n`);
});
await import('../bin/owctl.js');
