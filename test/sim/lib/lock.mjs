// One exclusive lock per MSB_HOME, held only while the state file is read and written (never across a boot or a
// kill), so concurrent msb invocations serialise their state changes. The lock is a directory holding the owner's
// pid, put in place with one atomic rename (so it is never seen without its owner); a lock whose owner process is
// gone is taken over.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fail } from './errors.mjs';
import { sleepSync } from './time.mjs';

const TIMEOUT_MS = 60_000;

export function acquireLock(path) {
  const deadline = Date.now() + TIMEOUT_MS;
  const staging = `${path}.${process.pid}.new`;
  for (;;) {
    mkdirSync(staging, { recursive: true });
    writeFileSync(join(staging, 'owner'), String(process.pid));
    try {
      renameSync(staging, path);
      return;
    } catch (error) {
      if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
    }
    if (ownerGone(path)) {
      moveAsideAndRemove(path);
      continue;
    }
    if (Date.now() > deadline) {
      rmSync(staging, { recursive: true, force: true });
      throw fail(`simulator: timed out waiting for the state lock ${path}`);
    }
    sleepSync(2 + Math.floor(Math.random() * 8));
  }
}

export function releaseLock(path) {
  if (owner(path) === process.pid) moveAsideAndRemove(path);
}

function owner(path) {
  try {
    return Number(readFileSync(join(path, 'owner'), 'utf8'));
  } catch {
    return null;
  }
}

function ownerGone(path) {
  const pid = owner(path);
  if (pid === null || !Number.isInteger(pid) || pid <= 0) return false; // just released or taken over: retry
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return error.code === 'ESRCH';
  }
}

function moveAsideAndRemove(path) {
  // Only one contender wins the rename; the others see ENOENT and simply retry.
  const aside = `${path}.old-${process.pid}-${Math.random().toString(16).slice(2)}`;
  try {
    renameSync(path, aside);
  } catch {
    return;
  }
  rmSync(aside, { recursive: true, force: true });
}
