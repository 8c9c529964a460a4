/**
 * The graceful stop before a running sandbox is stopped, replaced or destroyed (see workload.ts for why msb's own
 * stop is not enough). It never blocks what follows: a server that does not exit in time, or an exec that fails, is
 * reported and msb then stops the VM anyway. Resolves to one line for progress output.
 */
import type { Msb } from './driver.ts';
import { SERVER_STOP_WAIT_SECS } from './workload.ts';

export async function stopServerGracefully(msb: Pick<Msb, 'stopServer'>, name: string): Promise<string> {
  const started = Date.now();
  try {
    const outcome = await msb.stopServer(name, SERVER_STOP_WAIT_SECS);
    const took = `${((Date.now() - started) / 1000).toFixed(1)} s`;
    if (outcome === 'stopped') return `asked the OpenWork server to stop (SIGTERM); it exited after ${took}`;
    if (outcome === 'not-running') return 'no OpenWork server recorded as running in the guest; nothing to stop';
    return `the OpenWork server did not exit within ${SERVER_STOP_WAIT_SECS} s of SIGTERM; stopping the sandbox anyway`;
  } catch (error) {
    return `could not ask the OpenWork server to stop (${error instanceof Error ? error.message : String(error)}); stopping the sandbox anyway`;
  }
}
