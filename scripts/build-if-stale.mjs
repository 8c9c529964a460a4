/**
 * `npm test`'s build step: builds dist/ only when something it is built from is newer than it, so
 * `npm install && npm test` builds once (install's `prepare` built it already) and says so either way.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const OUTPUTS = ['dist/bundle/owctl.cjs', 'dist/bundle/validate.cjs', 'dist/config/validators.cjs'].map((file) => join(ROOT, file));
const INPUTS = ['src', 'schemas', 'scripts/bundle.mjs', 'scripts/build-validators.mjs', 'package.json', 'tsconfig.json'].map((file) => join(ROOT, file));

function newest(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((entry) => newest(join(path, entry))));
}

const built = OUTPUTS.every((file) => existsSync(file)) ? Math.min(...OUTPUTS.map((file) => statSync(file).mtimeMs)) : 0;
const changed = Math.max(...INPUTS.filter((file) => existsSync(file)).map(newest));
if (built >= changed) {
  process.stdout.write('build: dist/ is up to date\n');
} else {
  process.stdout.write(built === 0 ? 'build: dist/ is missing, building…\n' : 'build: sources changed since dist/ was built, building…\n');
  const result = spawnSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
  process.exit(result.status ?? 1);
}
