/**
 * Values the schema lets through but that would hurt the host or fail only once apply is under way: each is refused
 * at its own line, with the fix in the hint, before any msb call.
 */
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config/load.ts';
import type { Diagnostic } from '../../src/model/diagnostic.ts';
import { minimalYaml, TEST_ENV, withFiles } from './helpers.ts';

async function diagnose(text: string, setup?: (dir: string) => Promise<void>): Promise<{ diagnostics: Diagnostic[]; lines: string[] }> {
  return withFiles({ 'openwork.yaml': text, '.env': 'EXTRA=1\n' }, async (dir) => {
    await setup?.(dir);
    const { diagnostics } = await loadConfig(join(dir, 'openwork.yaml'), TEST_ENV);
    return { diagnostics, lines: text.split('\n') };
  });
}

/** The one diagnostic at `path`, on the line holding `marker`. */
function at(result: { diagnostics: Diagnostic[]; lines: string[] }, path: string, marker: string, message: RegExp, hint: RegExp): void {
  const found = result.diagnostics.filter((d) => d.path === path);
  assert.equal(found.length, 1, `one problem at ${path}: ${JSON.stringify(result.diagnostics, null, 1)}`);
  const line = result.lines.findIndex((l) => l.includes(marker)) + 1;
  assert.equal(found[0]!.line, line, JSON.stringify(found[0]));
  assert.match(found[0]!.message, message);
  assert.match(found[0]!.hint ?? '', hint);
}

const mounts = (...items: string[]) => ['    mounts:', ...items.map((item) => `      - ${item}`)].join('\n');

describe('inputs that validate but must be refused', () => {
  it('allow_host_paths naming a folder that holds sensitive places ("/", "~"), and a writable bind of /var/log', async () => {
    const text = ['allow_host_paths: ["/", "~", "/var/log"]', minimalYaml(mounts('{ type: bind, source: /var/log, target: /logs }'))].join('\n');
    const result = await diagnose(text);
    at(result, 'allow_host_paths[0]', 'allow_host_paths', /holds sensitive host paths \(\/etc/, /name the folder itself/);
    at(result, 'allow_host_paths[1]', 'allow_host_paths', /holds sensitive host paths/, /name the folder itself/);
    at(result, 'sandboxes.alice.mounts[0].source', 'source: /var/log', /\/var\/log.*writable/, /readonly: true/);
  });

  it('a read-only bind of an allowed /var/log is fine', async () => {
    const text = ['allow_host_paths: ["/var/log"]', minimalYaml(mounts('{ type: bind, source: /var/log, target: /logs, readonly: true }'))].join('\n');
    assert.deepEqual((await diagnose(text)).diagnostics, []);
  });

  it('the project folder (its .env and openwork.yaml) bound writable, as "." or through a parent', async () => {
    const text = ['allow_host_paths: [".."]', minimalYaml(mounts('{ type: bind, source: ., target: /project }', '{ type: bind, source: .., target: /up }', '{ type: bind, source: ., target: /ro, readonly: true }'))].join('\n');
    const result = await diagnose(text);
    at(result, 'sandboxes.alice.mounts[0].source', 'source: .,', /holds the project folder.*\.env/, /readonly: true|\.\/\.owctl/);
    at(result, 'sandboxes.alice.mounts[1].source', 'source: ..,', /holds the project folder/, /readonly: true|\.\/\.owctl/);
    assert.equal(result.diagnostics.filter((d) => d.path === 'sandboxes.alice.mounts[2].source').length, 0, 'read-only is fine');
  });

  for (const target of ['/proc', '/sys/kernel', '/dev', '/dev/shm', '/data/../etc', '/data/..']) {
    it(`guest target ${target}`, async () => {
      const result = await diagnose(minimalYaml(mounts(`{ type: tmpfs, target: "${target}" }`)));
      at(result, 'sandboxes.alice.mounts[0].target', `target: "${target}"`, target.includes('..') ? /\.\./ : /guest kernel/, /\/data|\/workspace/);
    });
  }

  it('a guest target that only looks close (/procedures, /device) is fine', async () => {
    assert.deepEqual((await diagnose(minimalYaml(mounts('{ type: tmpfs, target: /procedures }', '{ type: tmpfs, target: "/data/..x" }')))).diagnostics, []);
  });

  it('a command whose program starts with "-"', async () => {
    const result = await diagnose(minimalYaml('    command: ["--help"]'));
    at(result, 'sandboxes.alice.command[0]', 'command:', /starts with "-"/, /program/);
  });

  for (const [what, archive, setup] of [
    ['a device (/dev/zero would hang apply)', '/dev/zero', undefined],
    ['a folder', './image', async (dir: string) => void (await mkdir(join(dir, 'image')))],
  ] as const) {
    it(`an image archive that is ${what}`, async () => {
      const text = minimalYaml().replace('    image: openwork-microsandbox:dev', `    image: { ref: openwork-microsandbox:dev, archive: ${archive} }`);
      const result = await diagnose(text, setup);
      at(result, 'sandboxes.alice.image.archive', 'archive:', /not a regular file/, /docker save|tar/);
    });
  }

  it('an archive that does not exist yet is left to apply (the image may be cached)', async () => {
    const text = minimalYaml().replace('    image: openwork-microsandbox:dev', '    image: { ref: openwork-microsandbox:dev, archive: ./later.tar }');
    assert.deepEqual((await diagnose(text)).diagnostics, []);
  });
});
