/**
 * Host ports for sandboxes and fixtures that tests start later, safe while test files run in parallel.
 *
 * `listen(0)` then close hands out a port from the kernel's ephemeral range, the same range every other
 * `listen(0)` and every outgoing connection draws from; by the time a sandbox binds it, another test's client may
 * hold it ("Address already in use", seen in the SIGINT scenario). So ports come from below that range
 * (Linux: 32768+), each reserved across processes by an exclusive file, and checked free by binding it once.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processAlive } from '../../src/apply/lock.ts';

const LOW = 20_000;
const HIGH = 32_000;
const RESERVATIONS = join(tmpdir(), 'owctl-test-ports');
const mine: string[] = [];
process.once('exit', () => {
  for (const file of mine) rmSync(file, { force: true });
});

/** Takes the reservation file for `port`, or one left by a process that is gone; false when another holds it. */
function reserve(port: number): boolean {
  const file = join(RESERVATIONS, String(port));
  try {
    writeFileSync(file, String(process.pid), { flag: 'wx' });
  } catch {
    const holder = Number(readFileSync(file, 'utf8').trim());
    if (Number.isInteger(holder) && holder > 0 && processAlive(holder)) return false;
    writeFileSync(file, String(process.pid));
  }
  mine.push(file);
  return true;
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

export async function freePort(): Promise<number> {
  mkdirSync(RESERVATIONS, { recursive: true });
  for (let attempt = 0; attempt < 500; attempt++) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW));
    if (reserve(port) && (await bindable(port))) return port;
  }
  throw new Error(`no free port between ${LOW} and ${HIGH}`);
}
