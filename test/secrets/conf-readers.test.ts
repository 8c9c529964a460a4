/**
 * owctl may exit while an msb call it started is still running (a second Ctrl-C leaves them to finish on their own).
 * The private conf file such a call was given must outlive owctl until that call has ended (msb may not have read
 * it yet), and then go: it holds the tokens.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { it } from 'node:test';
import { eventually } from '../e2e/harness.ts';

const CONF = join(import.meta.dirname, '..', '..', 'src', 'msb', 'conf.ts');

// Stands in for owctl: starts a slow reader of the conf file (msb still starting), then exits at once, as a second
// interrupt does, while the reader runs.
const OWCTL = `
import { spawn } from 'node:child_process';
import { withConfFile } from ${JSON.stringify(CONF)};
await withConfFile({ document: { env: { OPENWORK_TOKEN: 'tok-123' } }, env: {} }, async (path, readBy) => {
  const reader = spawn(process.execPath, ['-e', 'setTimeout(() => process.stdout.write(require("fs").readFileSync(process.argv[1], "utf8")), 1500)', path], { detached: true, stdio: ['ignore', 'inherit', 'inherit'] });
  readBy?.(reader.pid);
  console.log('CONF=' + path);
  process.exit(130);
});
`;

it('a conf file outlives an owctl that exits while the msb call given it runs, and goes when that call ends', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', OWCTL], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const code = await new Promise((resolve) => child.on('exit', resolve));
  assert.equal(code, 130);
  const path = /CONF=(.+)/.exec(out)?.[1];
  assert.ok(path, out);
  assert.equal(existsSync(path), true, 'the file is still there for the call that has not read it yet');
  // The reader inherited the pipe: its output arrives once it has read the file.
  await eventually(async () => out.includes('tok-123'), 20_000, 'the reader to read the conf file');
  await eventually(async () => !existsSync(dirname(path)), 20_000, 'the conf folder to be removed after the reader ended');
});
