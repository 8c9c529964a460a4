/**
 * Contract for egress rules and secrets: the simulator records `--net-*`, `--secret` and `--on-secret-violation`
 * exactly as the real msb 0.6.18 does (the same inspect JSON, the same errors), refuses a boot whose secret's source
 * variable is unset or empty as msb does, and changes secrets through `msb modify` like it. Every create here records
 * the row and fails at once (a bind rootfs whose path holds `..`), on both sides.
 */
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { category, errorLine, makePair, normaliseJson, normaliseText, type MsbRun, type Pair } from './harness.ts';

const VALUE = 'sk-contract-SECRET-0123456789';
const FULL = ['--secret', 'ANTHROPIC_API_KEY@api.anthropic.com,*.anthropic.com', '--net-rule', 'allow@api.anthropic.com:tcp:443', '--net-rule', 'allow@*.github.com,deny@169.254.169.254', '--net-rule', 'allow@[::1]', '--net-rule', 'allow@10.0.0.0/8:udp:53', '--net-rule', 'allow@dns', '--net-default-egress', 'deny', '--on-secret-violation', 'block-and-log'];

describe('msb simulator contract: network policy and secrets (real msb 0.6.18 vs test/sim/msb)', () => {
  let pair: Pair;
  let rootfs: string;

  before(async () => {
    pair = await makePair();
    await mkdir(join(pair.work, 'rootfs'), { recursive: true });
    rootfs = `${join(pair.work, 'rootfs')}/../rootfs`;
  });
  after(() => pair.cleanup());

  function same(runs: { real: MsbRun; sim: MsbRun }, what: string): void {
    const context = `${what}\n--- real:\n${runs.real.stderr}\n--- sim:\n${runs.sim.stderr}`;
    assert.equal(runs.sim.exitCode, runs.real.exitCode, context);
    assert.equal(category(runs.sim.stderr), category(runs.real.stderr), context);
    const line = (run: MsbRun) => (errorLine(run.stderr) === null ? null : normaliseText(errorLine(run.stderr)!, pair));
    assert.equal(line(runs.sim), line(runs.real), context);
  }

  async function sameRecord(name: string): Promise<void> {
    const runs = await pair.both(['inspect', name, '--format', 'json']);
    same(runs, `inspect ${name}`);
    const real = normaliseJson(runs.real.stdout, pair) as { status: string; config: Record<string, unknown> };
    const sim = normaliseJson(runs.sim.stdout, pair) as { status: string; config: Record<string, unknown> };
    assert.equal(sim.status, real.status, `${name} status`);
    assert.deepEqual(sim.config.network, real.config.network, `${name} config.network`);
    assert.deepEqual(sim.config.env, real.config.env, `${name} config.env`);
  }

  it('a source variable that is not set when msb boots the sandbox: invalid config, the row stays recorded (Stopped), same record', async () => {
    same(await pair.both(['create', '--quiet', '--name', 'unset', ...FULL, rootfs]), 'create without ANTHROPIC_API_KEY');
    await sameRecord('unset');
  });

  it('an empty source variable: invalid config, "is empty"', async () => {
    same(await pair.both(['create', '--quiet', '--name', 'empty', ...FULL, rootfs], { ANTHROPIC_API_KEY: '' }), 'create with an empty ANTHROPIC_API_KEY');
  });

  it('with the value in msb\'s environment: the same record (policy, secret reference with value "", TLS interception on)', async () => {
    same(await pair.both(['create', '--quiet', '--name', 'full', ...FULL, rootfs], { ANTHROPIC_API_KEY: VALUE }), 'create with the value');
    await sameRecord('full');
  });

  it('rules without --net-default-egress (msb appends allow@dns and allow@public), egress alone, on_violation alone, no flag at all', async () => {
    const cases: Array<[string, string[]]> = [
      ['rules-only', ['--net-rule', 'allow@api.openai.com:udp']],
      ['egress-only', ['--net-default-egress', 'allow']],
      ['violation-only', ['--on-secret-violation', 'block']],
      ['plain', []],
    ];
    await Promise.all(
      cases.map(async ([name, flags]) => {
        same(await pair.both(['create', '--quiet', '--name', name, ...flags, rootfs]), name);
        await sameRecord(name);
      }),
    );
  });

  it('refusals in msb\'s words: an inline value, a port in the target, a token without @, unknown actions', async () => {
    const bad = [
      ['--secret', 'K=v@x.com'],
      ['--secret', 'K'],
      ['--net-rule', 'allow@x.com:443'],
      ['--net-rule', 'allow'],
      ['--on-secret-violation', 'bogus'],
      ['--net-default-egress', 'maybe'],
    ];
    await Promise.all(bad.map(async (flags, index) => same(await pair.both(['create', '--quiet', '--name', `bad-${index}`, ...flags, rootfs]), flags.join(' '))));
  });

  it('msb modify --secret/--secret-rm on a stopped sandbox: the same plan JSON and the same record, with and without a policy before', async () => {
    for (const args of [
      ['modify', 'full', '--secret', 'OPENAI_API_KEY@api.openai.com', '--secret', 'ANTHROPIC_API_KEY@api.anthropic.com', '--dry-run', '--format', 'json'],
      ['modify', 'full', '--secret', 'OPENAI_API_KEY@api.openai.com', '--secret-rm', 'ANTHROPIC_API_KEY', '--format', 'json'],
      ['modify', 'plain', '--secret', 'K@x.com', '--format', 'json'],
    ]) {
      const runs = await pair.both(args);
      same(runs, args.join(' '));
      assert.deepEqual(normaliseJson(runs.sim.stdout, pair), normaliseJson(runs.real.stdout, pair), args.join(' '));
    }
    await sameRecord('full');
    await sameRecord('plain');
  });

  it('secret sweep: the value is in no file under either MSB_HOME', async () => {
    for (const home of [pair.real.home, pair.sim.home]) {
      const entries = await readdir(home, { withFileTypes: true, recursive: true });
      for (const entry of entries.filter((e) => e.isFile())) {
        const file = join(entry.parentPath, entry.name);
        if ((await stat(file)).size > 64 * 1024 * 1024) continue; // sparse root-disk images, made before any value existed
        assert.equal((await readFile(file)).includes(VALUE), false, file);
      }
    }
  });
});
