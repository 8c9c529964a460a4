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

/** SIGTERM every group, SIGKILL what is left after `graceMs`, and wait until all are gone (bounded). */
export async function killGroups(pgids, graceMs = 3_000) {
  const signal = (name) => {
    for (const pgid of pgids) {
      try {
        process.kill(-pgid, name);
      } catch {
        // already gone
      }
    }
  };
  const allGone = async (deadline) => {
    while (Date.now() < deadline) {
      if (!pgids.some(groupAlive)) return true;
      await sleep(25);
    }
    return !pgids.some(groupAlive);
  };
  if (pgids.length === 0) return;
  signal('SIGTERM');
  if (await allGone(Date.now() + graceMs)) return;
  signal('SIGKILL');
  await allGone(Date.now() + 2_000);
}
