/** msb failures get the hint that fits them, naming the msb binary owctl actually ran. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { msbError } from '../../src/msb/errors.ts';

const BUSY = 'error: failed to start "alice": network: port 127.0.0.1:8787/tcp: Address already in use (os error 98)\n';

describe('msb error hints', () => {
  it('a busy host port on start names the port, not CPU virtualisation', () => {
    const error = msbError({ subcommand: 'start', exitCode: 1, stderr: BUSY });
    assert.equal(error.code, 'msb.start_failed');
    assert.match(error.hint ?? '', /host port 8787 .*in use/);
    assert.doesNotMatch(error.hint ?? '', /virtualisation/);
  });

  it('a busy host port reported in create\'s hint lines gets the port hint too', () => {
    const stderr = 'error: failed to start "alice"\n  → network: port 127.0.0.1:9000/tcp: Address already in use (os error 98)\n  → run `msb logs --source system alice` for full diagnostics\n';
    const error = msbError({ subcommand: 'create', exitCode: 1, stderr });
    assert.match(error.hint ?? '', /host port 9000 .*in use/);
  });

  it('msb\'s own hints name the binary owctl ran', () => {
    const stderr = 'error: failed to start "alice"\n  → rootfs: Invalid argument\n  → run `msb logs --source system alice` for full diagnostics\n';
    const error = msbError({ subcommand: 'create', exitCode: 1, stderr, binary: '/opt/msb 0.6.18/bin/msb' });
    assert.match(error.hint ?? '', /run `'\/opt\/msb 0\.6\.18\/bin\/msb' logs --source system alice`/);
    assert.doesNotMatch(error.hint ?? '', /`msb /);
  });

  it('owctl\'s own hints about msb commands name it too', () => {
    const error = msbError({ subcommand: 'create', exitCode: 1, stderr: 'error: volume not found: cache\n', binary: '/usr/local/bin/msb-custom' });
    assert.match(error.hint ?? '', /`\/usr\/local\/bin\/msb-custom volume create cache`/);
  });

  it('a registry that does not answer: the hint also names the demo that needs none', () => {
    const error = msbError({ subcommand: 'pull', call: 'pull openwork-microsandbox:dev', exitCode: 1, stderr: 'error: registry error: error sending request for url (https://index.docker.io/v2/library/openwork-microsandbox/manifests/dev)\n' });
    assert.match(error.hint ?? '', /`npm run demo` in owctl's folder/);
    const notCached = msbError({ subcommand: 'create', exitCode: 1, stderr: 'error: image error: image not cached: docker.io/library/alpine:3.20\n', image: 'alpine:3.20' });
    assert.doesNotMatch(notCached.hint ?? '', /npm run demo/, 'pull: never is not a registry problem');
  });

  // Every command in a hint can be copied and run as printed: the names come from the failure, never a placeholder.
  const placeholder = /`[^`]*\b(NAME|REF|FILE)\b[^`]*`|\{ ref: REF/;
  for (const [what, failure, command] of [
    ['a running sandbox', { subcommand: 'rm', call: 'rm alice', exitCode: 1, stderr: "error: sandbox still running: cannot remove sandbox 'alice': still running\n" }, '`msb stop alice`'],
    ['a missing volume', { subcommand: 'create', call: 'create alice', exitCode: 1, stderr: 'error: volume not found: shared-cache\n' }, '`msb volume create shared-cache`'],
    ['an image not cached', { subcommand: 'create', call: 'create alice', exitCode: 1, stderr: 'error: image error: image not cached: docker.io/library/alpine:3.20\n', image: 'alpine:3.20' }, '`msb pull alpine:3.20`'],
    ['an unreachable registry', { subcommand: 'create', call: 'create alice', exitCode: 1, stderr: 'error: image error: registry error: error sending request for url (https://registry-1.docker.io/v2/library/alpine/manifests/3.20)\n', image: 'alpine:3.20' }, '`msb pull alpine:3.20`'],
    ['a pull that failed', { subcommand: 'pull', call: 'pull ghcr.io/acme/ow:1', exitCode: 1, stderr: 'error: registry error: error sending request for url (https://ghcr.io/v2/acme/ow/manifests/1)\n' }, '`msb pull ghcr.io/acme/ow:1`'],
  ] as const) {
    it(`${what}: the hint's commands run as printed`, () => {
      const error = msbError(failure);
      assert.ok(error.hint?.includes(command), error.hint);
      assert.doesNotMatch(error.hint ?? '', placeholder);
    });
  }
});
