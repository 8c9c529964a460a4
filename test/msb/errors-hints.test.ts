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
    assert.match(error.hint ?? '', /`\/usr\/local\/bin\/msb-custom volume create NAME`/);
  });
});
