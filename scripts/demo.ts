/**
 * `npm run demo`: owctl's whole cycle — apply, status, connect, verify, destroy — on any host, without a registry
 * or CPU virtualisation. It builds a small OpenWork-shaped image with the project's own OCI writer, loads it into
 * the msb simulator (test/sim/msb) under a temporary MSB_HOME, and runs bin/owctl.js in a temporary project folder,
 * printing each command before its output. Everything it made is removed at the end, whatever happened.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeOciImage } from '../test/helpers/oci-image.ts';
import { freePort } from '../test/helpers/ports.ts';

const ROOT = join(import.meta.dirname, '..');
const SIM = join(ROOT, 'test', 'sim', 'msb');
const OWCTL = join(ROOT, 'bin', 'owctl.js');
const IMAGE = 'openwork-microsandbox:demo';
const NAME = 'demo';

function run(file: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(file, args, { cwd, env, stdio: 'inherit' });
    child.on('error', () => resolve(127));
    child.on('exit', (code, signal) => resolve(code ?? (signal === 'SIGINT' ? 130 : 1)));
  });
}

function projectFile(port: number): string {
  return [
    'version: 1',
    'project: owctl-demo',
    'sandboxes:',
    `  ${NAME}:`,
    `    image: ${IMAGE}              # loaded into the simulator by the demo`,
    '    pull: never',
    '    resources: { cpus: 1, memory: 512M }',
    `    mounts: [{ type: bind, source: ./.owctl/${NAME}/workspace, target: /workspace }]`,
    `    ports: [{ host: ${port}, guest: 8787 }]`,
    '    tokens: { client: "${OPENWORK_TOKEN}", host: "${OPENWORK_HOST_TOKEN}" }',
    '    verify: { timeout: 90s }',
    '',
  ].join('\n');
}

async function main(): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'owctl-demo-'));
  const env: NodeJS.ProcessEnv = { ...process.env, MSB_HOME: join(dir, 'msb-home'), OWCTL_MSB: SIM };
  for (const key of ['OWCTL_FILE', 'OPENWORK_TOKEN', 'OPENWORK_HOST_TOKEN', 'MSB_PATH']) delete env[key];
  // Ctrl-C reaches owctl too (same process group): it finishes cleanly, then this script cleans up.
  process.on('SIGINT', () => undefined);
  process.stdout.write(`owctl demo in ${dir} (msb simulator: no VM, no registry; removed at the end)\n`);
  try {
    const image = await writeOciImage(dir, { ref: IMAGE, env: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', HOME: '/root' } });
    process.stdout.write(`\n$ msb load -i ${image.archive} -t ${IMAGE}\n`);
    if ((await run(SIM, ['load', '--quiet', '-i', image.archive, '-t', IMAGE], dir, env)) !== 0) return 1;
    await writeFile(join(dir, 'openwork.yaml'), projectFile(await freePort()));
    const token = () => randomBytes(24).toString('base64url');
    await writeFile(join(dir, '.env'), `OPENWORK_TOKEN=${token()}\nOPENWORK_HOST_TOKEN=${token()}\n`, { mode: 0o600 });
    const steps = [['apply', '--auto-approve'], ['status'], ['connect', NAME], ['verify', NAME], ['destroy', '--auto-approve']];
    for (const [index, args] of steps.entries()) {
      process.stdout.write(`\n$ owctl ${args.join(' ')}\n`);
      const code = await run(process.execPath, [OWCTL, ...args], dir, env);
      if (code === 0) continue;
      process.stderr.write(`\ndemo: owctl ${args[0]} exited ${code}; cleaning up\n`);
      if (index < steps.length - 1) await run(process.execPath, [OWCTL, 'destroy', '--auto-approve'], dir, env);
      return code;
    }
    process.stdout.write('\ndemo: done — applied, listed, paired, verified and destroyed. `owctl init` starts a project of your own.\n');
    return 0;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

process.exitCode = await main();
