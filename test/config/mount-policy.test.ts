/** Which host folders a sandbox may bind: the project's own, allowed ones, never sensitive ones. */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { checkBindSources, readAllowlist, type MountPolicy } from '../../src/config/mount-policy.ts';
import type { DesiredSandbox } from '../../src/model/desired.ts';
import { desiredSandbox } from '../helpers/states.ts';

const base = await mkdtemp(join(tmpdir(), 'owctl-policy-'));
after(() => rm(base, { recursive: true, force: true }));
const home = join(base, 'home');
const project = join(home, 'proj');
await mkdir(join(project, '.owctl'), { recursive: true });
await mkdir(join(home, '.ssh'), { recursive: true });
await symlink(join(home, '.ssh'), join(project, 'keys'));
await writeFile(join(project, 'notes.txt'), 'x');

const policy = (extra: Partial<MountPolicy> = {}): MountPolicy => ({ projectDir: project, home, allowed: [], allowlistFile: join(home, '.config/owctl/allowed-host-paths'), msbHome: join(home, '.microsandbox'), ...extra });

function verdicts(sources: string[], p = policy()): Array<string | null> {
  const sandbox: DesiredSandbox = { ...desiredSandbox('a'), mounts: sources.map((source, index) => ({ type: 'bind', source, target: `/m${index}`, readonly: false })) };
  const issues = checkBindSources(sandbox, (...rest) => ['sandboxes', 'a', ...rest], p);
  return sources.map((_, index) => issues.find((issue) => issue.path[3] === index)?.message ?? null);
}

describe('mount policy', () => {
  it("allows the project's own folders, existing or not; the project folder itself only read-only", () => {
    const [own, missing, whole] = verdicts([join(project, '.owctl/a/ws'), join(project, 'missing/deeper'), project]);
    assert.deepEqual([own, missing], [null, null]);
    assert.match(whole!, /holds the project folder .* writable/);
    const readonly: DesiredSandbox = { ...desiredSandbox('a'), mounts: [{ type: 'bind', source: project, target: '/p', readonly: true }] };
    assert.deepEqual(checkBindSources(readonly, (...rest) => ['sandboxes', 'a', ...rest], policy()), []);
  });

  it('refuses files, the home folder, credentials (also through a symlink) and msb state', () => {
    const [file, homeDir, ssh, viaLink, msb, root] = verdicts([join(project, 'notes.txt'), home, join(home, '.ssh'), join(project, 'keys'), join(home, '.microsandbox', 'x'), '/']);
    assert.match(file!, /is a file, not a folder/);
    for (const message of [homeDir, ssh, viaLink, msb, root]) assert.match(message!, /sensitive host path/);
  });

  it('needs an explicit allow outside the project, and the allowlist file supplies one', async () => {
    const outside = join(base, 'shared', 'data');
    assert.match(verdicts([outside])[0]!, /is outside the project folder/);
    assert.deepEqual(verdicts([outside], policy({ allowed: [join(base, 'shared')] })), [null]);
    const file = join(base, 'allowed');
    await writeFile(file, `# comment\n${join(base, 'shared')}\n\n~/elsewhere\n`);
    assert.deepEqual(readAllowlist({ OWCTL_ALLOWED_HOST_PATHS: file }, home).folders, [join(base, 'shared'), join(home, 'elsewhere')]);
    assert.match(verdicts(['/etc/ssl'], policy({ allowed: ['/'] }))[0]!, /sensitive host path/, 'an allow never covers a sensitive path');
  });

  it('still refuses a project folder that lies in a credentials folder, or the part of one that holds msb state', () => {
    const inSsh = policy({ projectDir: join(home, '.ssh', 'proj') });
    assert.match(verdicts([join(home, '.ssh', 'proj', '.owctl', 'a')], inSsh)[0]!, /sensitive host path/);
    const holdingMsb = policy({ msbHome: join(project, 'msb-home') });
    const [whole, state, other] = verdicts([project, join(project, 'msb-home', 'db'), join(project, '.owctl', 'a')], holdingMsb);
    assert.match(whole!, /sensitive host path/);
    assert.match(state!, /sensitive host path/);
    assert.equal(other, null);
  });

  it("treats root's home like any home: its own folders may be allowed", () => {
    const rootPolicy = policy({ home: '/root', projectDir: '/root/proj', msbHome: '/root/.microsandbox', allowed: ['/root/data'] });
    assert.deepEqual(verdicts(['/root/proj/.owctl/a', '/root/data/x'], rootPolicy), [null, null]);
    assert.match(verdicts(['/root'], rootPolicy)[0]!, /sensitive/);
  });
});
