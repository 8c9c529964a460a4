/** Every process command line on this host, sampled until `stop()`: what any local user could read in /proc. */
import { readdir, readFile } from 'node:fs/promises';

export function sampleCommandLines(intervalMs = 20): { seen: () => string[]; stop: () => Promise<string[]> } {
  const seen = new Set<string>();
  let sampling = true;
  const loop = (async () => {
    while (sampling) {
      for (const pid of await readdir('/proc').catch(() => [])) {
        if (!/^\d+$/.test(pid)) continue;
        const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
        if (cmdline !== '') seen.add(cmdline.replaceAll('\0', ' '));
      }
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  return {
    /** What was seen so far (sampling goes on). */
    seen: () => [...seen],
    stop: async () => {
      sampling = false;
      await loop;
      return [...seen];
    },
  };
}
