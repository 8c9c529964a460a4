/**
 * `owctl validate`'s plain forms (`[-f FILE | --file FILE] validate [--json]`) run a script of their own
 * (dist/bundle/validate.cjs, src/cli/validate-main.ts) chosen by bin/owctl.js; every other form runs the whole CLI.
 * Each case here runs a plain form and the same command through the whole CLI (the same arguments and `--no-color`,
 * which changes nothing when stdout is not a terminal) and requires the same stdout, stderr and exit code. The
 * plain forms run from a copy of the package without the whole CLI's script, so they cannot have run it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

const ROOT = join(import.meta.dirname, '..', '..');
const TOKENS = { OPENWORK_TOKEN: 'bin-test-client-0123456789', OPENWORK_HOST_TOKEN: 'bin-test-host-0123456789' };

describe('owctl validate: the plain forms\' own script answers as the whole CLI does', () => {
  let dir: string;
  let fastBin: string;
  const run = (bin: string, args: string[], cwd: string, extra: NodeJS.ProcessEnv) =>
    spawnSync(process.execPath, [bin, ...args], { cwd, env: { PATH: process.env.PATH, HOME: dir, MSB_HOME: join(dir, 'msb-home'), ...extra }, encoding: 'utf8' });

  /** The plain form from the copy without the whole CLI, and the whole CLI with `--no-color` added: the same answer. */
  function same(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; status: number }): string {
    const cwd = options.cwd ?? dir;
    const env = options.env ?? TOKENS;
    const fast = run(fastBin, args, cwd, env);
    const full = run(join(ROOT, 'bin', 'owctl.js'), [...args, '--no-color'], cwd, env);
    assert.equal(fast.status, options.status, `${args.join(' ')}: ${fast.stderr}`);
    assert.deepEqual({ status: fast.status, stdout: fast.stdout, stderr: fast.stderr }, { status: full.status, stdout: full.stdout, stderr: full.stderr }, args.join(' '));
    return fast.stdout + fast.stderr;
  }

  before(() => {
    const script = join(ROOT, 'dist', 'bundle', 'validate.cjs');
    assert.ok(existsSync(script), 'dist/bundle/validate.cjs is missing: run `npm run build`');
    dir = mkdtempSync(join(tmpdir(), 'owctl-bin-validate-'));
    const pkg = join(dir, 'package');
    mkdirSync(join(pkg, 'bin'), { recursive: true });
    mkdirSync(join(pkg, 'dist', 'bundle'), { recursive: true });
    for (const file of ['owctl.js', 'package.json']) copyFileSync(join(ROOT, 'bin', file), join(pkg, 'bin', file));
    copyFileSync(script, join(pkg, 'dist', 'bundle', 'validate.cjs'));
    symlinkSync(join(ROOT, 'schemas'), join(pkg, 'schemas'));
    symlinkSync(join(ROOT, 'node_modules'), join(pkg, 'node_modules'));
    copyFileSync(join(ROOT, 'package.json'), join(pkg, 'package.json'));
    fastBin = join(pkg, 'bin', 'owctl.js');
    mkdirSync(join(dir, 'project', 'deeper'), { recursive: true });
    writeFileSync(join(dir, 'project', 'openwork.yaml'), readFileSync(join(ROOT, 'openwork.yaml'), 'utf8'));
    writeFileSync(join(dir, 'bad.yaml'), 'version: 1\nproject: demo\nsandboxes:\n  a:\n    image: x\n    memory: 2G\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('runs without the whole CLI only for the plain forms', () => {
    const other = run(fastBin, ['validate', '--help'], dir, TOKENS);
    assert.notEqual(other.status, 0);
    assert.match(other.stderr, /owctl\.cjs/);
  });

  it('a valid file: -f, --file, --json, variables set or unset', () => {
    const file = join(dir, 'project', 'openwork.yaml');
    assert.match(same(['-f', file, 'validate'], { status: 0 }), /valid \(2 sandboxes\)/);
    same(['--file', file, 'validate', '--json'], { status: 0 });
    assert.match(same(['-f', file, 'validate'], { env: {}, status: 0 }), /warning: .*OPENWORK_TOKEN is not set/);
    same(['-f', file, 'validate', '--json'], { env: {}, status: 0 });
  });

  it('an invalid file, as text, as JSON and under GitHub Actions', () => {
    assert.match(same(['-f', 'bad.yaml', 'validate'], { status: 1 }), /bad\.yaml:6:5: error: sandboxes\.a\.memory: unknown key "memory"/);
    same(['-f', 'bad.yaml', 'validate', '--json'], { status: 1 });
    assert.match(same(['-f', 'bad.yaml', 'validate'], { env: { ...TOKENS, GITHUB_ACTIONS: 'true' }, status: 1 }), /::error file=/);
  });

  it('the default file: here, in a parent folder, in none, or named by OWCTL_FILE', () => {
    same(['validate'], { cwd: join(dir, 'project'), status: 0 });
    assert.match(same(['validate'], { cwd: join(dir, 'project', 'deeper'), status: 0 }), /using \.\.\/openwork\.yaml \(found in a parent folder\)/);
    assert.match(same(['validate', '--json'], { cwd: dir, status: 1 }), /nor in any parent folder/);
    same(['validate'], { cwd: join(dir, 'project', 'deeper'), env: { ...TOKENS, OWCTL_FILE: 'openwork.yaml' }, status: 1 });
    same(['validate'], { cwd: dir, env: { ...TOKENS, OWCTL_FILE: 'bad.yaml' }, status: 1 });
    same(['-f', 'missing.yaml', 'validate'], { status: 1 });
  });
});
