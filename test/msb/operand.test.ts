/** No value from the file or the command line reaches msb where it would be read as an option. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OwctlError } from '../../src/errors.ts';
import { Msb } from '../../src/msb/driver.ts';
import { recordingSpawner } from './recording-spawner.ts';

describe('msb operands', () => {
  it('refuses a name, image reference or path starting with "-" before spawning msb', async () => {
    const spawner = recordingSpawner({ run: async () => ({ exitCode: 0, stdout: '{}', stderr: '' }) as never, stream: () => { throw new Error('no stream'); } });
    const msb = new Msb('/nonexistent/msb', {}, { spawner });
    const refused = (error: unknown) => error instanceof OwctlError && error.code === 'msb.argument' && /would be read as an option/.test(error.message);
    await assert.rejects(msb.imageInspect('--help'), refused);
    await assert.rejects(msb.pull('--help'), refused);
    await assert.rejects(msb.imageLoad('/tmp/image.tar', '-t'), refused);
    await assert.rejects(msb.inspect('--all'), refused);
    await assert.rejects(msb.remove('--force'), refused);
    await assert.rejects(msb.start('-h'), refused);
    assert.deepEqual(spawner.requests, []);
  });
});
