/**
 * The OpenWork microsandbox image falls back to public tokens when its token variables do not reach it (for
 * instance when tokens.client_env names a variable the image does not read). A server on those tokens is open to
 * anyone who has read the image's source: verification proves both are refused, and reports acceptance as a
 * security failure (`verify.public_token`), never as an ordinary one.
 */
import { PUBLIC_CLIENT_TOKEN, PUBLIC_HOST_TOKEN } from '../model/public-tokens.ts';
import type { HttpAnswer } from './http.ts';
import type { StepContext, StepOutcome } from './steps.ts';
import { REQUEST_TIMEOUT_MS } from './steps.ts';


export const PUBLIC_TOKEN_CODE = 'verify.public_token';

const HINT =
  'the server did not get the tokens owctl gave it and runs on the image\'s public defaults: make tokens.client_env and tokens.host_env name the variables the image reads (OPENWORK_TOKEN / OPENWORK_HOST_TOKEN), then run `owctl apply`';

const accepted = (answer: HttpAnswer) => answer.status >= 200 && answer.status < 300;

/** GET /workspaces with the public client token and GET /tokens with the public host token: both must be refused. */
export async function publicDefaults(ctx: StepContext): Promise<StepOutcome> {
  const probes = [
    { url: `${ctx.base}/workspaces`, headers: { authorization: `Bearer ${PUBLIC_CLIENT_TOKEN}` }, which: 'client' },
    { url: `${ctx.base}/tokens`, headers: { 'x-openwork-host-token': PUBLIC_HOST_TOKEN }, which: 'host' },
  ] as const;
  for (const probe of probes) {
    const answer = await ctx.http.send(probe.url, { headers: probe.headers, timeoutMs: REQUEST_TIMEOUT_MS, signal: ctx.signal });
    if (answer.kind === 'failure') {
      return { ok: false, url: probe.url, message: `checking the public default ${probe.which} token: ${answer.message}`, hint: 'the server went away during verification: check `owctl status` and its log' };
    }
    if (accepted(answer)) {
      return {
        ok: false,
        url: probe.url,
        status: answer.status,
        code: PUBLIC_TOKEN_CODE,
        message: `security: the server accepts the public default ${probe.which} token (HTTP ${answer.status}): anyone can use it`,
        hint: HINT,
      };
    }
  }
  return { ok: true, url: probes[0].url };
}
