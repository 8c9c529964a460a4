// `msb context` and `msb doctor`. The doctor says plainly that this is the owctl msb simulator.
import { fileURLToPath } from 'node:url';
import { parseArgs } from './args.mjs';
import { fail } from './errors.mjs';
import { msbHome } from './home.mjs';
import { printJson, table, usage } from './output.mjs';
import { VERSION } from './version.mjs';

const CLOUD_API = 'https://api.microsandbox.dev';
const CONTEXT = { name: 'context', usage: 'msb context [OPTIONS]', options: [{ long: 'format', value: 'FORMAT', possible: ['json'] }], positionals: [] };
const DOCTOR = { name: 'doctor', usage: 'msb doctor [OPTIONS]', options: [{ long: 'fix' }, { long: 'yes', short: 'y' }], positionals: [] };

/** The backend selected by MSB_BACKEND (the simulator models only the local one; cloud is "offline"). */
export function backend(env) {
  const selected = env.MSB_BACKEND;
  if (selected === undefined || selected === '') return { kind: 'local', source: 'default' };
  if (selected === 'local') return { kind: 'local', source: 'MSB_BACKEND' };
  if (selected === 'cloud') {
    if (!env.MSB_API_KEY) throw fail('invalid config: MSB_BACKEND=cloud requires a non-empty MSB_API_KEY or a cloud profile');
    return { kind: 'cloud', api_url: CLOUD_API, source: 'MSB_BACKEND' };
  }
  throw fail(`invalid config: MSB_BACKEND must be 'local' or 'cloud', got ${JSON.stringify(selected)}`);
}

/** Every command but `context` on the cloud backend: the simulator has no network, like msb offline. */
export function cloudUnavailable(env) {
  if (backend(env).kind !== 'cloud') return null;
  return fail(`http error: error sending request for url (${CLOUD_API}/v1/sandboxes?limit=100)`);
}

export function context(argv, env) {
  const { opts, help } = parseArgs(argv, CONTEXT);
  if (help) return usage(CONTEXT);
  const selected = backend(env);
  if (opts.format === 'json') printJson(selected, { sort: false });
  else table(['FIELD', 'VALUE'], [['Backend', selected.kind], ['Source', selected.source]]);
  return 0;
}

export function doctor(argv, env) {
  const { help } = parseArgs(argv, DOCTOR);
  if (help) return usage(DOCTOR);
  const noVirt = env.MSB_SIM_NO_VIRT === '1';
  const self = fileURLToPath(new URL('../msb', import.meta.url));
  process.stderr.write(
    [
      `info Platform: ${process.platform} ${process.arch}`,
      `info Version: v${VERSION} (owctl msb simulator — NOT the real microsandbox; see test/sim/README.md)`,
      `info MSB_HOME: ${msbHome(env)}`,
      `   ✓ msb          ${self} (simulator)`,
      noVirt ? '   ✗ CPU virt     not found (MSB_SIM_NO_VIRT=1: every boot fails, like the real msb here)' : '   ✓ CPU virt     simulated: sandboxes boot instantly, workloads run as host processes',
      '',
    ].join('\n'),
  );
  if (noVirt) throw fail('CPU virtualization is not available', ['MSB_SIM_NO_VIRT=1 makes the owctl msb simulator behave like the real msb on a host without it']);
  return 0;
}
