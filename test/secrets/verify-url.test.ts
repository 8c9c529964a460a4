/** A token in the user-info of `verify --url` is never printed: not in the heading, not in the JSON target. */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { it } from 'node:test';
import { runCli } from '../helpers/cli.ts';

const IN_URL = 'url-secret-0123456789abcdef';

async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

it('verify --url with a token in its user-info never prints it', async () => {
  const url = `http://owner:${IN_URL}@127.0.0.1:${await deadPort()}`;
  const env = { OPENWORK_TOKEN: 'client-token-0123456789ab', OPENWORK_HOST_TOKEN: 'host-token-0123456789abcd' };
  for (const args of [['verify', '--url', url, '--timeout', '1s'], ['verify', '--url', url, '--timeout', '1s', '--json']]) {
    const result = await runCli(args, { env });
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.ok(!`${result.stdout}${result.stderr}`.includes(IN_URL), `${args.join(' ')}: ${result.stdout}${result.stderr}`);
    assert.match(result.stdout, /127\.0\.0\.1/);
  }
});
