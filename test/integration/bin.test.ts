/**
 * The program users run: bin/owctl.js, which loads the bundled CLI (dist/bundle/, built by `npm run build`, which
 * `npm test` runs first). Every other test runs src/ in-process; this proves the shipped build behaves the same
 * on the paths that load files by location (the schema, the prebuilt validators, lazily loaded chunks, the msb
 * binary), against the real msb 0.6.18 in a temporary MSB_HOME.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'owctl.js');
const TOKENS = { OPENWORK_TOKEN: 'bin-test-client-0123456789', OPENWORK_HOST_TOKEN: 'bin-test-host-0123456789' };

describe('bin/owctl.js (the bundled build)', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const owctl = (args: string[], extra: NodeJS.ProcessEnv = {}) => spawnSync(process.execPath, [BIN, ...args], { cwd: dir, env: { ...env, ...extra }, encoding: 'utf8' });

  before(async () => {
    const bundle = join(ROOT, 'dist', 'bundle', 'owctl.cjs');
    assert.ok(existsSync(bundle), 'dist/bundle/owctl.cjs is missing: run `npm run build`');
    assert.ok(statSync(bundle).mtimeMs >= statSync(join(ROOT, 'src', 'cli', 'main.ts')).mtimeMs, 'dist/ is older than src/: run `npm run build`');
    dir = await mkdtemp(join(tmpdir(), 'owctl-bin-'));
    env = { PATH: process.env.PATH, HOME: dir, MSB_HOME: join(dir, 'msb-home'), NO_COLOR: '1', ...TOKENS };
    await writeFile(join(dir, 'openwork.yaml'), await readFile(join(ROOT, 'examples', 'minimal.yaml'), 'utf8'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('validates and plans with the bundled msb, with the prebuilt validators', () => {
    const validate = owctl(['validate']);
    assert.equal(validate.status, 0, validate.stderr);
    const plan = owctl(['plan', '--json']);
    const document = JSON.parse(plan.stdout) as { summary: Record<string, number>; preflight?: Array<{ severity: string }> };
    assert.equal(document.summary.create, 1);
    // Exit 1 exactly when the preflight found an error (here: a host that cannot boot, a registry out of reach).
    const failing = (document.preflight ?? []).some((p) => p.severity === 'error') ? 1 : 0;
    assert.equal(plan.status, failing, plan.stderr);
    const markdown = owctl(['plan', '--format', 'markdown']);
    assert.equal(markdown.status, failing, markdown.stderr);
    assert.match(markdown.stdout, /owctl plan: project/);
    for (const result of [plan, markdown]) for (const token of Object.values(TOKENS)) assert.ok(!(result.stdout + result.stderr).includes(token));
  });

  it('reports a bad file at its line through the full reader', async () => {
    await writeFile(join(dir, 'bad.yaml'), 'version: 1\nproject: demo\nsandboxes:\n  a:\n    image: x\n    memory: 2G\n');
    const result = owctl(['-f', 'bad.yaml', 'validate']);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /bad\.yaml:6:5: error: sandboxes\.a\.memory: unknown key "memory"\n  hint: did you mean "resources\.memory"\?/);
  });

  it('reports the msb it found, and writes a starter file whose schema modeline resolves', async () => {
    const doctor = owctl(['doctor', '--json']);
    const report = JSON.parse(doctor.stdout) as { msb: { source: string }; version: { found: string } };
    assert.deepEqual([report.msb.source, report.version.found], ['bundled', '0.6.18']);
    const fresh = await mkdtemp(join(dir, 'init-'));
    const init = spawnSync(process.execPath, [BIN, 'init'], { cwd: fresh, env, encoding: 'utf8' });
    assert.equal(init.status, 0, init.stderr);
    const modeline = /\$schema=(\S+)/.exec(await readFile(join(fresh, 'openwork.yaml'), 'utf8'))?.[1];
    assert.ok(modeline !== undefined && existsSync(join(fresh, modeline)), `schema modeline ${modeline} resolves`);
  });
});
