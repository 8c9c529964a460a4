/**
 * The access part of the snapshot: the token list (`GET /tokens` with the host token: ids, scopes, labels, never a
 * value) of every running, owned, declared sandbox whose server answers, so the planner can compare the file's
 * `access:` with what the server holds. Read-only. A list that cannot be read leaves `access` absent: the plan then
 * shows no access change for that sandbox rather than guess.
 */
import type { Backend } from '../apply/backend.ts';
import { runPool } from '../apply/pool.ts';
import type { DesiredState } from '../model/desired.ts';
import { LABEL_PROJECT } from '../model/labels.ts';

/** Per request: a server that answered its health probe answers this at once; a hung one must not hold the plan. */
const LIST_TIMEOUT_MS = 5_000;
import type { ObservedState } from '../model/observed.ts';

export async function observeAccess(desired: DesiredState, observed: ObservedState, backend: Backend, parallelism: number): Promise<void> {
  const declared = new Map(desired.sandboxes.map((s) => [s.name, s]));
  const readable = observed.sandboxes.filter((s) => {
    const mine = declared.get(s.name);
    return mine !== undefined && mine.tokens.host !== '' && s.labels[LABEL_PROJECT] === desired.project && s.status === 'Running' && s.server !== 'down';
  });
  if (readable.length === 0) return;
  // The HTTP client (undici) loads only once a server has an address to ask: loading it was ~25 % of the CPU of a
  // plan whose running sandboxes publish no port (BENCHMARKS.md, start-up).
  let listTokens: typeof import('../verify/access-api.ts').listTokens | undefined;
  await runPool(
    readable,
    parallelism,
    async (sandbox) => {
      const address = await backend.serverAddress(sandbox, sandbox.id).catch(() => null);
      if (address === null) return;
      listTokens ??= (await import('../verify/access-api.ts')).listTokens;
      const access = await listTokens({ ...address, hostToken: declared.get(sandbox.name)!.tokens.host }, LIST_TIMEOUT_MS).catch(() => null);
      if (access !== null) sandbox.access = access;
    },
    () => false,
  );
}
