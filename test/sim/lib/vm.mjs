// The simulated VM. Booting checks what a real boot would trip over on any host (a bind rootfs or mount host path
// that is missing or contains `..`, a host port already taken), then the failure knobs, and otherwise "boots" an
// idle VM instantly: nothing listens until a workload is exec'd. The workload (the OpenWork image's entrypoint) runs
// as a host process: by default test/fixture/openwork-server.mjs, or $MSB_SIM_WORKLOAD.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { closeSync, existsSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { outputLog, sandboxDir } from './home.mjs';
import { envMap } from './sandbox-config.mjs';
import { sleep } from './time.mjs';

export const DEFAULT_WORKLOAD = fileURLToPath(new URL('../../fixture/openwork-server.mjs', import.meta.url));
const NO_AGENT = 'sandbox process exited (exit status: 1) before agent relay became available';

/**
 * null when the VM boots, else { stage, errno, message, hints } describing why not.
 * `busyPorts`: port mappings of the other sandboxes that are up (their VMs hold those host ports).
 */
export async function bootFailure(name, config, busyPorts, env = process.env) {
  const rootfs = config.image.Bind?.path;
  if (rootfs !== undefined) {
    const problem = hostPathProblem(rootfs);
    if (problem) return { stage: 'image', ...problem, message: `rootfs: ${problem.text}`, hints: [] };
  }
  for (const mount of config.mounts) {
    if (mount.type !== 'Bind') continue;
    const problem = hostPathProblem(mount.host);
    if (problem) {
      const hints = problem.errno === 2 ? ['the host path for one of the mounts does not exist'] : [];
      return { stage: 'mount', errno: problem.errno, message: `mount ${mountTag(mount.guest)}: ${problem.text}`, hints };
    }
  }
  const delay = Number(env.MSB_SIM_BOOT_DELAY_MS ?? 0);
  if (delay > 0) await sleep(delay);
  // A test's gate: the boot goes on once the test has opened and closed the named pipe (end of file for this read),
  // so a boot lasts exactly until the test has seen what it waits for, instead of a delay long enough on any host.
  if (env.MSB_SIM_BOOT_GATE) await readFile(env.MSB_SIM_BOOT_GATE);
  const failing = (env.MSB_SIM_BOOT_FAIL ?? '').split(',').map((s) => s.trim());
  if (env.MSB_SIM_NO_VIRT === '1' || failing.includes(name)) return { stage: 'other', errno: null, message: NO_AGENT, hints: [] };
  for (const port of config.network.ports) {
    if (port.host_port === 0) continue;
    if (busyPorts.some((other) => overlaps(port, other)) || !(await canBind(port))) {
      const message = `port ${port.host_bind}:${port.host_port}/${port.protocol}: Address already in use (os error 98)`;
      return { stage: 'network', errno: 98, message, hints: [] };
    }
  }
  return null;
}

/** The lines msb prints under `error: failed to start "NAME"` for a failed create/exec boot. */
export function bootHints(name, failure) {
  return [`${failure.stage}: ${failure.message}`, ...failure.hints, `run \`msb logs --source system ${name}\` for full diagnostics`];
}

/**
 * Starts the workload for sandbox `name` as a detached host process group; returns the child (or null when the
 * workload script is missing — like a guest where the binary is not there: the failure lands in the log).
 */
export function startWorkload(home, name, config, { args = [], extraEnv = {}, env = process.env } = {}) {
  const script = env.MSB_SIM_WORKLOAD || DEFAULT_WORKLOAD;
  const guestEnv = { ...envMap(config), ...extraEnv };
  const guestPort = Number(guestEnv.OPENWORK_PORT || 8787);
  const mapping = config.network.ports.find((p) => p.guest_port === guestPort && p.protocol === 'tcp');
  const childEnv = {
    ...hostPassThrough(env),
    ...guestEnv,
    PATH: [guestEnv.PATH, env.PATH].filter(Boolean).join(':'),
    OPENWORK_FIXTURE_LISTEN_HOST: mapping?.host_bind ?? '127.0.0.1',
    OPENWORK_FIXTURE_LISTEN_PORT: String(mapping?.host_port ?? 0),
    OPENWORK_FIXTURE_MOUNTS: JSON.stringify(
      config.mounts.filter((m) => m.type === 'Bind').map((m) => ({ guest: m.guest, host: m.host, readonly: m.options.readonly })),
    ),
    OPENWORK_FIXTURE_ARGV: JSON.stringify(args),
    OPENWORK_FIXTURE_SANDBOX: name,
    // The guest's root filesystem: kept across stop/start, removed with the sandbox (like a VM's root disk).
    OPENWORK_FIXTURE_ROOTFS: join(sandboxDir(home, name), 'rootfs'),
  };
  mkdirSync(sandboxDir(home, name), { recursive: true });
  const out = openSync(outputLog(home, name), 'a');
  try {
    if (!existsSync(script)) {
      writeSync(out, `nohup: can't execute '${script}': No such file or directory\n`);
      return null;
    }
    return spawn(process.execPath, [script], { detached: true, stdio: ['ignore', out, out], env: childEnv, cwd: sandboxDir(home, name) });
  } finally {
    closeSync(out);
  }
}

/**
 * What the host-side stand-in needs from msb's own environment (the sandbox env wins over it): HOME, TMPDIR, and
 * fixture settings — OPENWORK_FIXTURE_* as is, or MSB_SIM_FIXTURE_X as OPENWORK_FIXTURE_X (MSB_* variables get
 * through owctl's allowlist for msb's environment).
 */
function hostPassThrough(env) {
  const out = {};
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) continue;
    if (key === 'HOME' || key === 'TMPDIR' || key.startsWith('OPENWORK_FIXTURE_')) out[key] = value;
    else if (key.startsWith('MSB_SIM_FIXTURE_')) out[`OPENWORK_FIXTURE_${key.slice('MSB_SIM_FIXTURE_'.length)}`] = value;
  }
  return out;
}

function hostPathProblem(path) {
  if (path.split('/').includes('..')) return { errno: 22, text: 'Invalid argument (os error 22)' };
  if (!existsSync(resolve(process.cwd(), path))) return { errno: 2, text: 'No such file or directory (os error 2)' };
  return null;
}

function mountTag(guest) {
  return `${basename(guest) || 'root'}_${createHash('sha256').update(guest).digest('hex').slice(0, 8)}`;
}

function overlaps(a, b) {
  const wildcard = (bind) => bind === '0.0.0.0' || bind === '::';
  return (
    a.protocol === b.protocol &&
    a.host_port === b.host_port &&
    (a.host_bind === b.host_bind || wildcard(a.host_bind) || wildcard(b.host_bind))
  );
}

function canBind(port) {
  return new Promise((done) => {
    if (port.protocol === 'udp') {
      const socket = createSocket(port.host_bind.includes(':') ? 'udp6' : 'udp4');
      socket.once('error', () => done(false));
      socket.bind({ port: port.host_port, address: port.host_bind, exclusive: true }, () => socket.close(() => done(true)));
      return;
    }
    const server = createServer();
    server.once('error', () => done(false));
    server.listen({ port: port.host_port, host: port.host_bind, exclusive: true }, () => server.close(() => done(true)));
  });
}
