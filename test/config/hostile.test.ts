/** Broken and hostile files end in diagnostics (or a clear OwctlError), never in a crash, a hang or a stack trace. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { loadConfig, loadDesiredState, type LoadResult } from '../../src/config/load.ts';
import { isOwctlError } from '../../src/errors.ts';
import { runCli } from '../helpers/cli.ts';
import { minimalYaml, TEST_ENV, withFiles } from './helpers.ts';

async function loadText(content: string | Uint8Array): Promise<LoadResult> {
  return withFiles({ 'openwork.yaml': content }, (dir) => loadConfig(path.join(dir, 'openwork.yaml'), TEST_ENV));
}

function messages(result: LoadResult): string[] {
  assert.equal(result.desired, undefined);
  return result.diagnostics.map((d) => `${d.line}:${d.col} ${d.message}`);
}

describe('hostile files', () => {
  test('a 10 MB deeply nested file is refused by size before parsing', async () => {
    const depth = 5 * 1024 * 1024;
    const started = Date.now();
    const result = await loadText(`a: ${'['.repeat(depth)}${']'.repeat(depth)}`);
    assert.deepEqual(messages(result), ['1:1 file too large (the limit is 256 KiB; an openwork.yaml is a few kilobytes)']);
    assert.ok(Date.now() - started < 5000);
  });

  test('deep flow nesting under the size bound is refused before composing', async () => {
    const depth = 100_000;
    assert.deepEqual(messages(await loadText(`a: ${'['.repeat(depth)}${']'.repeat(depth)}`)), ['1:67 nested too deeply (more than 64 levels)']);
    assert.deepEqual(messages(await loadText(`a: ${'{a: '.repeat(50_000)}1${'}'.repeat(50_000)}`)), ['1:256 nested too deeply (more than 64 levels)']);
  });

  test('deep block nesting is refused too', async () => {
    assert.match(messages(await loadText(`${'- '.repeat(100_000)}x\n`))[0]!, /nested too deeply/);
    let indented = '';
    for (let level = 0; level < 600; level++) indented += `${' '.repeat(level)}k:\n`;
    assert.match(messages(await loadText(indented))[0]!, /nested too deeply/);
  });

  test('nesting that stays within the limit is fine', async () => {
    const yaml = minimalYaml(`x-deep: ${'['.repeat(50)}${']'.repeat(50)}`).replace('\n    x-deep', '\nx-deep');
    const result = await loadText(yaml);
    assert.deepEqual(result.diagnostics, []);
  });

  test('a file growing past the bound is refused', async () => {
    const result = await loadText(`# ${'x'.repeat(256 * 1024)}\n`);
    assert.match(messages(result)[0]!, /file too large/);
  });

  test('alias bombs stop at the alias limit', async () => {
    const lines = ['version: 1', 'project: demo', 'sandboxes: {}', 'x-0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (let level = 1; level < 10; level++) lines.push(`x-${level}: &a${level} [${Array(10).fill(`*a${level - 1}`).join(', ')}]`);
    assert.deepEqual(messages(await loadText(lines.join('\n'))), ['1:1 too many alias (*name) expansions']);
  });

  test('thousands of problems are capped, with a count of the rest', async () => {
    const keys = Array.from({ length: 5000 }, (_, index) => `k${index}: v`).join('\n');
    const result = await loadText(`version: 1\nproject: demo\nsandboxes: {}\n${keys}\n`);
    assert.equal(result.diagnostics.length, 101);
    assert.ok(result.diagnostics.some((d) => d.message === 'and 4900 more problems (only the first 100 are listed)'));
  });

  test('thousands of duplicate keys are found in linear time', async () => {
    const keys = Array.from({ length: 20_000 }, (_, index) => `k${index % 50}: v`).join('\n');
    const started = Date.now();
    const result = await loadText(keys);
    assert.equal(result.diagnostics[0]!.message, 'duplicate key "k0"');
    assert.ok(Date.now() - started < 5000);
  });

  test('thousands of anchors and aliases stop at the alias limit, quickly', async () => {
    const anchors = Array.from({ length: 8000 }, (_, index) => `x-a${index}: &a${index} v`).join('\n');
    const aliases = Array.from({ length: 8000 }, (_, index) => `*b${index}`).join(', ');
    const started = Date.now();
    const result = await loadText(`${anchors}\nx-list: [${aliases}]\n`);
    assert.ok(result.diagnostics.some((d) => d.message === 'more than 100 aliases (*name)'));
    assert.ok(Date.now() - started < 5000);
  });

  test('random binary data', async () => {
    const junk = new Uint8Array(4096);
    for (let index = 0; index < junk.length; index++) junk[index] = (index * 7919 + 13) % 256;
    assert.match(messages(await loadText(junk))[0]!, /binary file|not valid UTF-8/);
  });

  test('a missing file is config.not_found with a hint', async () => {
    await withFiles({}, async (dir) => {
      await assert.rejects(loadConfig(path.join(dir, 'openwork.yaml'), TEST_ENV), (error: unknown) => {
        assert.ok(isOwctlError(error));
        assert.equal(error.code, 'config.not_found');
        assert.match(error.hint ?? '', /owctl init/);
        assert.match(error.hint ?? '', /-f FILE/);
        return true;
      });
    });
  });

  test('a folder, or a FIFO nobody writes to, is refused without hanging', async () => {
    await withFiles({}, async (dir) => {
      await mkdir(path.join(dir, 'folder.yaml'));
      const folder = await loadConfig(path.join(dir, 'folder.yaml'), TEST_ENV);
      assert.deepEqual(messages(folder), ['1:1 is a folder, not a file']);
      execFileSync('mkfifo', [path.join(dir, 'fifo.yaml')]);
      const fifo = await loadConfig(path.join(dir, 'fifo.yaml'), TEST_ENV);
      assert.deepEqual(messages(fifo), ['1:1 is not a regular file']);
    });
  });

  test('a UTF-8 byte order mark is accepted', async () => {
    assert.deepEqual((await loadText(`\uFEFF${minimalYaml()}`)).diagnostics, []);
  });

  test('loadDesiredState throws config.invalid carrying the diagnostics', async () => {
    await withFiles({ 'openwork.yaml': minimalYaml('    resources: { memory: 2X, cpus: 0 }') }, async (dir) => {
      await assert.rejects(loadDesiredState(path.join(dir, 'openwork.yaml'), TEST_ENV), (error: unknown) => {
        assert.ok(isOwctlError(error));
        assert.equal(error.code, 'config.invalid');
        assert.match(error.message, /openwork\.yaml:7:26: sandboxes\.alice\.resources\.memory: "2X" is not a size \(and 1 more problem\)$/);
        const diagnostics = error.details?.diagnostics as unknown[];
        assert.equal(diagnostics.length, 2);
        return true;
      });
      const ok = await loadDesiredState(path.join(dir, 'openwork.yaml').replace('openwork', 'missing'), TEST_ENV).catch((error: unknown) => error);
      assert.ok(isOwctlError(ok) && ok.code === 'config.not_found');
    });
  });

  test('secrets never appear in diagnostics', async () => {
    const secret = 'sup3r-s3cret-value';
    const yaml = [
      'version: 1',
      'project: demo',
      'sandboxes:',
      '  alice:',
      '    image: img',
      `    tokens: { client: ${secret}, host: ${secret}, extra: x }`,
      `    labels: { note: "${secret}" }`,
      `    env: { MSB_X: "${secret}" }`,
      '  bob:',
      '    image: img',
      '    tokens: { client: 12345, host: [a, b] }',
    ].join('\n');
    const result = await loadText(yaml);
    assert.ok(result.secrets.includes(secret));
    assert.ok(result.diagnostics.length >= 3);
    for (const diagnostic of result.diagnostics) assert.ok(!JSON.stringify(diagnostic).includes(secret), JSON.stringify(diagnostic));
  });
});

/**
 * Values that pass the schema but would break a sandbox (or be read by msb as something else): each is refused at
 * its line by apply itself, exit 1, without a stack trace, before any msb call that carries a value from the file.
 */
describe('hostile values', () => {
  const yaml = (extra = '', image = 'openwork-microsandbox:dev') => minimalYaml(extra).replace('image: openwork-microsandbox:dev', `image: ${image}`);
  const cases: Array<{ name: string; files: Record<string, string>; env?: Record<string, string>; where: string; message: RegExp }> = [
    { name: 'an image that msb would read as a flag', files: { 'openwork.yaml': yaml('', '"--help"') }, where: 'openwork.yaml:5:', message: /not an image reference \(it starts with "-"\)/ },
    { name: 'a client token with a line break', files: { 'openwork.yaml': yaml() }, env: { OPENWORK_TOKEN: 'line-one-0123456789\r\nX-Evil: 1' }, where: 'openwork.yaml:6:', message: /client token holds a space, a line break/ },
    { name: 'a host token with a NUL byte', files: { 'openwork.yaml': yaml().replace('"${OPENWORK_HOST_TOKEN}"', '"host-token-01234567\\0ab"') }, where: 'openwork.yaml:6:', message: /host token holds/ },
    { name: 'a token outside Latin-1', files: { 'openwork.yaml': yaml() }, env: { OPENWORK_TOKEN: 'tøken-ŧ-0123456789abcdef' }, where: 'openwork.yaml:6:', message: /outside Latin-1/ },
    { name: 'an empty program', files: { 'openwork.yaml': yaml('    command: [""]') }, where: 'openwork.yaml:7:', message: /the program to run is empty/ },
    { name: '1 MiB of memory', files: { 'openwork.yaml': yaml('    resources: { memory: 1M }') }, where: 'openwork.yaml:7:', message: /too little memory/ },
    { name: 'client_env PATH', files: { 'openwork.yaml': yaml('    tokens: { client: "${OPENWORK_TOKEN}", host: "${OPENWORK_HOST_TOKEN}", client_env: PATH }').replace(/ {4}tokens: \{ client: "\$\{OPENWORK_TOKEN\}", host: "\$\{OPENWORK_HOST_TOKEN\}" \}\n/, '    x: 1\n').replace('    x: 1\n', '') }, where: 'openwork.yaml:6:', message: /PATH is a variable the guest's programs read/ },
    { name: 'host_env LD_PRELOAD', files: { 'openwork.yaml': yaml().replace('host: "${OPENWORK_HOST_TOKEN}" }', 'host: "${OPENWORK_HOST_TOKEN}", host_env: LD_PRELOAD }') }, where: 'openwork.yaml:6:', message: /LD_PRELOAD is a variable/ },
    { name: 'connect_host with a user@', files: { 'openwork.yaml': yaml('    verify: { connect_host: "127.0.0.1@evil.example" }') }, where: 'openwork.yaml:7:', message: /not a host name or IP address/ },
    { name: 'connect_host with a path', files: { 'openwork.yaml': yaml('    verify: { connect_host: "evil.example/x" }') }, where: 'openwork.yaml:7:', message: /not a host name or IP address/ },
    { name: 'a bind source that is a file', files: { 'openwork.yaml': yaml('    mounts: [{ type: bind, source: ./notes.txt, target: /w }]'), 'notes.txt': 'x' }, where: 'openwork.yaml:7:', message: /notes\.txt is a file, not a folder/ },
    { name: 'a bind source with a NUL byte', files: { 'openwork.yaml': yaml('    mounts: [{ type: bind, source: "./a\\0b", target: /w }]') }, where: 'openwork.yaml:7:', message: /contains a NUL byte/ },
    { name: 'an absurd idle_timeout', files: { 'openwork.yaml': yaml('    idle_timeout: 99999999999999999999h') }, where: 'openwork.yaml:7:', message: /longer than a year/ },
    { name: 'a bind address with an IPv6 zone', files: { 'openwork.yaml': yaml('    ports: [{ host: 8787, guest: 8787, bind: "fe80::1%eth0" }]') }, where: 'openwork.yaml:7:', message: /names an interface zone/ },
    { name: 'the host root as a bind source', files: { 'openwork.yaml': yaml('    mounts: [{ type: bind, source: /, target: /w }]') }, where: 'openwork.yaml:7:', message: /sensitive host path/ },
    { name: '~/.ssh as a bind source', files: { 'openwork.yaml': yaml('    mounts: [{ type: bind, source: ~/.ssh, target: /w }]') }, where: 'openwork.yaml:7:', message: /sensitive host path/ },
    { name: '../../etc as a bind source', files: { 'openwork.yaml': yaml('    mounts: [{ type: bind, source: ../../../../../../../../etc, target: /w }]') }, where: 'openwork.yaml:7:', message: /sensitive host path \(\/etc\)/ },
    { name: 'a folder outside the project, not allowed', files: { 'openwork.yaml': yaml('    mounts: [{ type: bind, source: /srv/owctl-elsewhere, target: /w }]') }, where: 'openwork.yaml:7:', message: /outside the project folder/ },
    {
      name: 'a .env nested 40,000 levels deep',
      files: { 'openwork.yaml': yaml(), '.env': `A=1\nDEEP="${'${U:-'.repeat(40_000)}v${'}'.repeat(40_000)}"\n` },
      where: '.env:2:',
      message: /nested too deeply/,
    },
  ];

  for (const c of cases) {
    test(`refuses ${c.name}`, async () => {
      await withFiles(c.files, async (dir) => {
        const log = path.join(dir, 'msb-calls.log');
        const msb = path.join(dir, 'msb');
        await writeFile(msb, `#!/bin/sh\necho "$*" >> '${log}'\n[ "$1" = context ] && echo '{"kind":"local","source":"default"}'\nexit 0\n`);
        await chmod(msb, 0o755);
        const env = { ...TEST_ENV, PATH: process.env.PATH, HOME: dir, MSB_HOME: path.join(dir, 'msb-home'), OWCTL_MSB: msb, ...c.env };
        const result = await runCli(['apply', '--auto-approve'], { env, cwd: dir });
        assert.equal(result.code, 1, result.stdout + result.stderr);
        assert.ok(result.stderr.includes(c.where), `${c.where} in:\n${result.stderr}`);
        assert.match(result.stderr, c.message);
        assert.doesNotMatch(result.stderr + result.stdout, /internal error|\n\s+at .+:\d+:\d+/);
        const calls = (await readFile(log, 'utf8').catch(() => '')).split('\n').filter((line) => line !== '');
        assert.deepEqual(calls.filter((call) => call !== 'context --format json'), [], 'no msb call but the read-only context probe');
        for (const secret of Object.values(c.env ?? {})) assert.ok(!(result.stdout + result.stderr).includes(secret), 'the token never appears');
      });
    });
  }

  test('a folder outside the project is accepted once allowed in the file or in the allowlist file', async () => {
    const outside = await mkdtemp(path.join(tmpdir(), 'owctl-allowed-'));
    try {
      const mounts = `    mounts: [{ type: bind, source: ${outside}/data, target: /w }]`;
      const inFile = await withFiles({ 'openwork.yaml': `allow_host_paths: [${outside}]\n${yaml(mounts)}` }, (dir) => loadConfig(path.join(dir, 'openwork.yaml'), { ...TEST_ENV, HOME: dir }));
      assert.deepEqual(inFile.diagnostics, []);
      const listFile = path.join(outside, 'allowed');
      await writeFile(listFile, `# folders sandboxes may bind\n${outside}\n`);
      const inList = await withFiles({ 'openwork.yaml': yaml(mounts) }, (dir) => loadConfig(path.join(dir, 'openwork.yaml'), { ...TEST_ENV, HOME: dir, OWCTL_ALLOWED_HOST_PATHS: listFile }));
      assert.deepEqual(inList.diagnostics, []);
      const sensitive = await withFiles({ 'openwork.yaml': `allow_host_paths: [/]\n${yaml('    mounts: [{ type: bind, source: /etc, target: /w }]')}` }, (dir) => loadConfig(path.join(dir, 'openwork.yaml'), { ...TEST_ENV, HOME: dir }));
      assert.match(sensitive.diagnostics[0]?.message ?? '', /sensitive host path/);
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });
});
