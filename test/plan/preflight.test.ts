/** The pure preflight: what would make apply fail, from the file, the observed state, the plan and host facts. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HostFacts } from '../../src/model/preflight.ts';
import { plan } from '../../src/plan/planner.ts';
import { portsToCheck, preflight } from '../../src/plan/preflight.ts';
import { registryOf } from '../../src/model/image-ref.ts';
import { capabilitiesFor } from '../../src/opensandbox/network-mode.ts';
import { desiredSandbox, desiredState, observedFrom, observedState } from '../helpers/states.ts';

const fine: HostFacts = { busyPorts: [], canBoot: true };
const never = desiredSandbox('alice', { pull: 'never' });
const codes = (problems: ReturnType<typeof preflight>) => problems.map((p) => [p.severity, p.code, p.sandbox ?? null]);

describe('preflight', () => {
  it('a host-network server (shared server ports): two sandboxes serving on one guest port cannot both run', () => {
    const caps = capabilitiesFor(true);
    const alice = desiredSandbox('alice', { ports: [] });
    const desired = desiredState([alice, desiredSandbox('bob', { ports: [] }), desiredSandbox('carol', { ports: [], serverPort: 9000 })]);
    const observed = { ...observedState([observedFrom('demo', alice)]), capabilities: caps };
    const problems = preflight(desired, observed, plan(desired, observed), fine);
    assert.deepEqual(codes(problems), [['error', 'port.shared', 'bob']]);
    assert.match(problems[0]!.message, /alice and bob both serve on guest port 8787/);
    assert.match(problems[0]!.hint, /server\.port/);
    const bridge = { ...observed, capabilities: capabilitiesFor(false) };
    assert.deepEqual(preflight(desired, bridge, plan(desired, bridge), fine), []);
  });

  it('pull: never with the image not cached is an error for a sandbox to create, not with an archive', () => {
    const desired = desiredState([never]);
    const observed = { ...observedState([]), images: { 'openwork-microsandbox:dev': null } };
    assert.deepEqual(codes(preflight(desired, observed, plan(desired, observed), fine)), [['error', 'image.not_cached', 'alice']]);
    const archived = desiredState([{ ...never, image: { ref: 'openwork-microsandbox:dev', archive: '/srv/image.tar' } }]);
    assert.deepEqual(preflight(archived, observed, plan(archived, observed), fine), []);
  });

  it('an uncached image apply would pull is an error only when its registry did not answer', () => {
    const ifMissing = desiredSandbox('alice', { pull: 'if-missing', image: { ref: 'registry.invalid/openwork:dev' } });
    const desired = desiredState([ifMissing]);
    const observed = { ...observedState([]), images: { 'registry.invalid/openwork:dev': null } };
    assert.deepEqual(preflight(desired, observed, plan(desired, observed), fine), [], 'registry not judged (or reachable): apply pulls');
    const offline = { ...fine, unreachableRegistries: ['registry.invalid'] };
    const [problem, ...rest] = preflight(desired, observed, plan(desired, observed), offline);
    assert.deepEqual(rest, []);
    assert.deepEqual([problem?.severity, problem?.code, problem?.sandbox], ['error', 'image.not_cached', 'alice']);
    assert.match(problem!.message, /registry\.invalid did not answer/);
    assert.match(problem!.hint, /npm run demo/);
    const cached = { ...observed, images: { 'registry.invalid/openwork:dev': { ref: 'registry.invalid/openwork:dev', digest: 'sha256:1', env: {}, entrypoint: [], cmd: [] } } };
    assert.deepEqual(preflight(desired, cached, plan(desired, cached), offline), [], 'cached: nothing to pull');
  });

  it('the registry apply would pull an image from', () => {
    assert.equal(registryOf('openwork-microsandbox:dev'), 'index.docker.io');
    assert.equal(registryOf('library/ubuntu'), 'index.docker.io');
    assert.equal(registryOf('ghcr.io/org/image:1'), 'ghcr.io');
    assert.equal(registryOf('localhost:5000/image'), 'localhost:5000');
    assert.equal(registryOf('docker.io/library/ubuntu'), 'index.docker.io');
  });

  it('a host port something else holds is an error for a sandbox that boots', () => {
    const desired = desiredState([desiredSandbox('alice')]);
    const observed = observedState([]);
    const busy = { busyPorts: [{ bind: '127.0.0.1', port: 8787 }], canBoot: true };
    const [problem] = preflight(desired, observed, plan(desired, observed), busy);
    assert.equal(problem?.code, 'port.busy');
    assert.match(problem!.message, /127\.0\.0\.1:8787 is already in use/);
    assert.match(problem!.hint, /ports\[\]\.host/);
  });

  it('no CPU virtualisation is an error only when the plan boots something; an unanswered check is a warning', () => {
    const alice = desiredSandbox('alice');
    const desired = desiredState([alice]);
    const none = observedState([]);
    assert.deepEqual(codes(preflight(desired, none, plan(desired, none), { busyPorts: [], canBoot: false })), [['error', 'host.no_cpu_virtualisation', null]]);
    assert.deepEqual(codes(preflight(desired, none, plan(desired, none), { busyPorts: [], canBoot: 'msb doctor failed' })), [['warning', 'host.unchecked', null]]);
    const live = observedState([observedFrom('demo', alice, { server: 'up' })]);
    assert.deepEqual(preflight(desired, live, plan(desired, live), { busyPorts: [{ bind: '127.0.0.1', port: 8787 }], canBoot: false }), [], 'nothing boots');
  });

  it('ports the project\'s own running sandboxes publish are not checked', () => {
    const alice = desiredSandbox('alice');
    const desired = desiredState([{ ...alice, memoryMib: 1024 }]);
    const observed = observedState([observedFrom('demo', alice)]);
    assert.deepEqual(portsToCheck(desired, observed, plan(desired, observed)), []);
    const fresh = observedState([]);
    assert.deepEqual(portsToCheck(desired, fresh, plan(desired, fresh)), [{ bind: '127.0.0.1', port: 8787 }]);
  });
});
