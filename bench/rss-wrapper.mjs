// Runs the built CLI like bin/owctl.js does and reports, on stderr at exit, its peak RSS (for hosts without
// /usr/bin/time) and the CPU time of this process alone (msb children excluded), which a loaded host disturbs far
// less than wall time:  node bench/rss-wrapper.mjs -f FILE plan   → last stderr line `cpu_ms=N maxrss_kib=N`.
import { main } from '../dist/cli/main.js';

process.on('exit', () => {
  const usage = process.resourceUsage();
  process.stderr.write(`cpu_ms=${((usage.userCPUTime + usage.systemCPUTime) / 1000).toFixed(1)} maxrss_kib=${usage.maxRSS}\n`);
});
process.exitCode = await main(process.argv);
