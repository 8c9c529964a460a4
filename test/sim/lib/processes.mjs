// Host processes standing in for guest programs: each workload runs in its own process group (its pid is the group
// id), so stopping a sandbox can end the workload and anything it spawned.
import { readFileSync, readdirSync } from 'node:fs';
import { sleep } from './time.mjs';

/** Whether any live (non-zombie) process is left in group `pgid`. */
export function groupAlive(pgid) {
  let entries;
  try {
    entries = readdirSync('/proc');
  } catch {
    return signalAlive(pgid);
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    // pid (comm) state ppid pgrp …; comm may contain spaces and parentheses, so split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pgid && fields[0] !== 'Z' && fields[0] !== 'X') return true;
  }
  return false;
}

function signalAlive(pgid) {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/**
 * msb stop (and the idle and max-duration drains), after crates/agentd's shutdown path: SIGTERM only to the groups of
 * still-tracked exec sessions (`tracked`), a bounded wait for them, then kill(-1, SIGKILL) — every other process
 * (an orphaned server included) gets no SIGTERM at all. Waits until all groups are gone (bounded).
 */
export async function stopGroups(tracked, all, graceMs = 3_000) {
  const signal = (pgids, name) => {
    for (const pgid of pgids) {
      try {
        process.kill(-pgid, name);
      } catch {
        // already gone
      }
    }
  };
  const gone = async (pgids, deadline) => {
    while (Date.now() < deadline) {
      if (!pgids.some(groupAlive)) return true;
      await sleep(25);
    }
    return !pgids.some(groupAlive);
  };
  if (tracked.length > 0) {
    signal(tracked, 'SIGTERM');
    await gone(tracked, Date.now() + graceMs);
  }
  signal(all, 'SIGKILL');
  await gone(all, Date.now() + 2_000);
}

/** SIGTERM to group `pgid`; resolves true when it is gone within `waitMs`. */
export async function terminateGroup(pgid, waitMs) {
  try {
    process.kill(-pgid, 'SIGTERM');
  } catch {
    return true;
  }
  const deadline = Date.now() + waitMs;
  while (Date.now() < deadline) {
    if (!groupAlive(pgid)) return true;
    await sleep(25);
  }
  return !groupAlive(pgid);
}
