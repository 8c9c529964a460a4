/**
 * Preflight: what would make apply fail is reported by plan, with a hint, and apply refuses before changing
 * anything — an image pull: never cannot fetch, a host port held by a process owctl does not manage, a host that
 * cannot boot sandboxes (the simulator's MSB_SIM_NO_VIRT=1 plays one).
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Project, SIMULATOR_ONLY, freePort, tokens } from './harness.ts';

describe('preflight', () => {
  let project: Project;
  before(async () => {
    project = await Project.create('preflight');
  });
  after(() => project.cleanup());

  async function assertRefused(extraEnv: Record<string, string>, code: string, message: RegExp): Promise<void> {
    const plan = await project.owctl(['plan', '--json'], extraEnv);
    assert.equal(plan.code, 1, `a preflight error makes plan exit 1: ${plan.stderr}`);
    const problems = (JSON.parse(plan.stdout) as { preflight?: Array<{ code: string; severity: string; hint: string }> }).preflight ?? [];
    assert.deepEqual(problems.map((p) => [p.severity, p.code]), [['error', code]]);
    assert.ok(problems[0]!.hint.length > 0);
    const human = await project.owctl(['plan', '--detailed-exitcode'], extraEnv);
    assert.equal(human.code, 1, 'not 2: a job gated on the plan must not run a failing apply');
    assert.match(human.stdout, /Plan: 1 to add/, 'the plan is still shown');
    assert.match(human.stdout, /Preflight: apply would fail/);
    assert.match(human.stderr, /preflight found 1 error/);
    // A saved plan keeps what the preflight found: `show` says it again, word for word.
    const saved = await project.owctl(['plan', '-o', 'plan.json'], extraEnv);
    const shown = await project.owctl(['show', 'plan.json']);
    assert.equal(shown.code, 0, shown.stderr);
    const section = (text: string) => text.slice(text.indexOf('Preflight:'), text.indexOf('Plan: '));
    assert.ok(section(saved.stdout).length > 20, saved.stdout);
    assert.equal(section(shown.stdout), section(saved.stdout));
    const shownJson = JSON.parse((await project.owctl(['show', 'plan.json', '--json'])).stdout) as { preflight?: unknown };
    assert.deepEqual(shownJson.preflight, problems);
    assert.match(human.stdout, message);
    const before = (await project.msbCalls()).length;
    const apply = await project.owctl(['apply', '--auto-approve'], extraEnv);
    assert.equal(apply.code, 1);
    assert.match(apply.stderr, /error: refusing to apply, nothing was changed: /);
    assert.match(apply.stderr, /hint: /);
    const calls = (await project.msbCalls()).slice(before).map((argv) => argv[0]);
    for (const changing of ['create', 'start', 'rm', 'modify', 'pull', 'load', 'exec']) assert.ok(!calls.includes(changing), `apply ran msb ${changing}`);
  }

  it('a host without CPU virtualisation: plan says so, apply refuses before creating anything', { skip: SIMULATOR_ONLY }, async () => {
    await project.writeFile([{ name: 'novirt', port: await freePort(), tokens: tokens('novirt') }]);
    await assertRefused({ MSB_SIM_NO_VIRT: '1' }, 'host.no_cpu_virtualisation', /no CPU virtualisation/);
  });

  it('a declared host port held by another process: plan names it, apply refuses', async () => {
    const port = await freePort();
    const holder: Server = createServer(() => undefined);
    await new Promise<void>((resolve) => holder.listen(port, '127.0.0.1', resolve));
    try {
      await project.writeFile([{ name: 'busy', port, tokens: tokens('busy') }]);
      await assertRefused({}, 'port.busy', new RegExp(`127\\.0\\.0\\.1:${port} is already in use`));
    } finally {
      holder.close();
    }
  });

  it('pull: if-missing with an image msb does not have and a registry that does not answer: an error naming the demo', async () => {
    await project.writeFile([{ name: 'offline', port: await freePort(), tokens: tokens('offline'), image: 'registry.invalid/openwork:dev', pull: 'if-missing' }]);
    await assertRefused({}, 'image.not_cached', /registry\.invalid\/openwork:dev is not in msb's cache, and its registry registry\.invalid did not answer/);
    const plan = await project.owctl(['plan']);
    assert.match(plan.stdout, /npm run demo/);
  });

  it('pull: never with an image msb does not have: plan says so, apply refuses', async () => {
    await project.writeFile([{ name: 'noimage', port: await freePort(), tokens: tokens('noimage'), image: 'openwork-microsandbox:not-loaded' }]);
    await assertRefused({}, 'image.not_cached', /openwork-microsandbox:not-loaded is not in msb's cache/);
  });
});
