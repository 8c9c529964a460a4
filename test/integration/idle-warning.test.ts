/**
 * The idle_timeout warning is said where it matters: by validate, and by a plan that creates or changes a sandbox
 * with an idle_timeout — naming only those — never on a plan that changes none of them.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IMAGE_1, projectYaml } from './project-yaml.ts';
import { makeProject } from './real-project.ts';

const WARNING = /warning: idle_timeout \(([^)]*)\)/;
const withIdle = (yaml: string, name: string) => yaml.replace(`  ${name}:\n`, `  ${name}:\n    idle_timeout: 30m\n`);

describe('the idle_timeout warning', () => {
  it('in validate, and in plans that create or change a sandbox with idle_timeout; not otherwise', async (t) => {
    const p = await makeProject();
    t.after(() => p.cleanup());
    await p.loadImage(IMAGE_1);
    await p.write(withIdle(projectYaml('idlew', { a: {}, b: {} }), 'a'));

    assert.match((await p.owctl(['validate'])).stderr, WARNING);
    const creating = await p.plan();
    assert.equal(WARNING.exec(creating.stderr)?.[1], 'a', `creates a: ${creating.stderr}`);

    await p.applyFast();
    const starting = await p.plan();
    assert.match(starting.stdout, /to start/);
    assert.doesNotMatch(starting.stderr, WARNING, 'starts change no sandbox');

    await p.write(withIdle(projectYaml('idlew', { a: {}, b: { memory: '512M' } }), 'a'));
    const otherChanged = await p.plan();
    assert.match(otherChanged.stdout, /~ sandbox "b"/);
    assert.doesNotMatch(otherChanged.stderr, WARNING, 'b has no idle_timeout');

    await p.write(withIdle(projectYaml('idlew', { a: { memory: '512M' }, b: {} }), 'a'));
    const changed = await p.plan();
    assert.equal(WARNING.exec(changed.stderr)?.[1], 'a', changed.stderr);
  });
});
