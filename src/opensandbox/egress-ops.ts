/**
 * What the OpenSandbox backend does with a sandbox's egress sidecar: read its policy and vault for the plan, write
 * the credentials after create (only to a vault proven to be this sandbox's own), bring policy and vault to the file
 * in place, and check that the vault lists every binding. A credential value goes only into a vault write.
 */
import { OwctlError } from '../errors.ts';
import { credentialsOf, type DesiredSandbox } from '../model/desired.ts';
import type { ObservedCredential, ObservedEgress } from '../model/egress-observed.ts';
import { canonicalRules, effectivePolicy } from '../model/network.ts';
import type { VerifyStepResult } from '../verify/types.ts';
import { OPENSANDBOX_CAPABILITIES } from './capabilities.ts';
import type { OpenSandboxClient } from './client.ts';
import { EGRESS_PORT, EgressClient } from './egress-client.ts';
import { isSharedHostAddress } from './network-mode.ts';
import { bindingOf, effectiveRules, policySync, vaultCreate, vaultMutation } from './egress-request.ts';
import type { WireVaultState } from './egress-wire.ts';
import type { WireSandbox } from './wire.ts';

export interface EgressContext {
  client: OpenSandboxClient;
  timeoutMs: number;
  secrets: readonly string[];
}

/** A client for the sidecar of sandbox `id`, through the lifecycle API's endpoint for port 18080 and its headers. */
export async function egressOf(ctx: EgressContext, id: string, name: string): Promise<EgressClient> {
  const answer = await ctx.client.endpoint(id, EGRESS_PORT, name);
  const url = (/^https?:\/\//.test(answer.endpoint) ? answer.endpoint : `http://${answer.endpoint}`).replace(/\/+$/, '');
  return new EgressClient({ url, headers: answer.headers ?? {}, timeoutMs: ctx.timeoutMs, name, secrets: ctx.secrets });
}

async function using<T>(ctx: EgressContext, id: string, name: string, work: (egress: EgressClient) => Promise<T>): Promise<T> {
  const egress = await egressOf(ctx, id, name);
  try {
    return await work(egress);
  } finally {
    await egress.close();
  }
}

function credentialsListed(state: WireVaultState | undefined): Record<string, ObservedCredential> {
  const listed: Record<string, ObservedCredential> = {};
  for (const c of state?.credentials ?? []) listed[c.name] = { hosts: [] };
  for (const b of state?.bindings ?? []) listed[b.name] = { hosts: b.match?.hosts ?? [], ...(b.auth?.type === 'apiKey' && b.auth.name ? { header: b.auth.name } : {}) };
  return listed;
}

/**
 * The sandbox's egress as the model sees it: its metadata's account (`atRest`), completed by what the sidecar
 * answers. Rules come back in the model's canonical text; the allows owctl adds for credential hosts are not the
 * file's rules: when the rules in force are exactly what this file makes, the declared rules are reported. An
 * unanswered read (or a sandbox not running) leaves the policy unknown: the recorded digests stand in.
 */
export async function readEgress(ctx: EgressContext, wire: WireSandbox, atRest: ObservedEgress, name: string, desired: DesiredSandbox | undefined): Promise<ObservedEgress> {
  if (atRest.policy === null || wire.status.state !== 'Running') return atRest;
  try {
    return await using(ctx, wire.id, name, async (egress) => {
      const status = await egress.policy();
      const vault = atRest.injects ? await egress.vault() : undefined;
      const rules = (status.policy?.egress ?? []).map((r) => ({ action: r.action, target: r.target, ports: [] }));
      const declared = desired !== undefined && sameRules(rules, effectiveRules(desired));
      const policy = { egress: status.policy?.defaultAction ?? 'deny', rules: canonicalRules(declared ? effectivePolicy(desired, IMPLICIT).rules : rules) };
      return { ...atRest, policy, credentials: credentialsListed(vault) };
    });
  } catch {
    return atRest;
  }
}

const IMPLICIT = OPENSANDBOX_CAPABILITIES.egress.implicit;

function sameRules(a: ReadonlyArray<{ action: string; target: string }>, b: ReadonlyArray<{ action: string; target: string }>): boolean {
  return a.length === b.length && a.every((r, i) => r.action === b[i]!.action && r.target === b[i]!.target);
}

function unproven(name: string, url: string): OwctlError {
  const shared = isSharedHostAddress(url.replace(/^https?:\/\//, ''), EGRESS_PORT);
  const why = shared ? `its port ${EGRESS_PORT} answers at ${url.replace(/^https?:\/\//, '')}, the address every sandbox shares on a host-network server` : 'the sidecar that answered did not prove it holds this sandbox\'s egress token';
  return new OwctlError('opensandbox.egress', `owctl cannot prove that the Credential Vault answering for ${name} belongs to that sandbox (${why}), so it wrote no credential there`, {
    hint: 'the endpoint for port 18080 must carry the sandbox\'s own OPENSANDBOX-EGRESS-AUTH token, refused by any other sidecar; on a Docker server with network_mode "host" every sandbox\'s port 18080 is the same address: run the server with network_mode "bridge", or remove credentials from the file',
    details: { shared_address: shared },
  });
}

/** Writes the file's credentials and bindings to the sandbox's vault (create it, or one PATCH to the file's state). */
export async function writeVault(ctx: EgressContext, id: string, sandbox: DesiredSandbox): Promise<void> {
  const wanted = Object.keys(credentialsOf(sandbox)).length > 0;
  await using(ctx, id, sandbox.name, async (egress) => {
    // Proven first: nothing is read from, or written to, a sidecar that may be another sandbox's.
    if (!(await egress.ownershipProven())) {
      if (wanted) throw unproven(sandbox.name, egress.url);
      return;
    }
    const state = await egress.vault();
    if (!wanted && (state === undefined || (state.credentials.length === 0 && state.bindings.length === 0))) return;
    if (state === undefined) await egress.createVault(vaultCreate(sandbox));
    else await egress.patchVault(vaultMutation(sandbox, state));
  });
}

/**
 * Brings the sidecar's rules to the file's: `add` PATCHes the file's list (it goes first, in order), `remove`
 * DELETEs the targets the file no longer has. The vault is written between the two, so that no binding is ever
 * without the allow rule of its host.
 */
export async function syncPolicy(ctx: EgressContext, id: string, sandbox: DesiredSandbox, phase: 'add' | 'remove'): Promise<void> {
  await using(ctx, id, sandbox.name, async (egress) => {
    const { patch, remove } = policySync(sandbox, (await egress.policy()).policy?.egress ?? []);
    if (phase === 'add') await egress.patchRules(patch);
    else await egress.deleteRules(remove);
  });
}

/**
 * The `credential-vault` verification step: the vault lists each declared credential bound to its hosts and header
 * (read sanitized, as every answer is), and nothing else. The guest variable's fake value is set by the create
 * request; the lifecycle API cannot read a sandbox's env back, so the step says so instead of claiming it.
 */
export async function verifyVault(ctx: EgressContext, id: string, sandbox: DesiredSandbox): Promise<VerifyStepResult | undefined> {
  const wanted = credentialsOf(sandbox);
  if (Object.keys(wanted).length === 0) return undefined;
  const started = Date.now();
  const url = `opensandbox sidecar ${id}:${EGRESS_PORT}/credential-vault`;
  const result = (ok: boolean, message: string, hint?: string): VerifyStepResult => ({ step: 'credential-vault', ok, durationMs: Date.now() - started, url, message, ...(hint ? { hint } : {}) });
  try {
    const state = await using(ctx, id, sandbox.name, (egress) => egress.vault());
    const listed = credentialsListed(state);
    for (const [name, credential] of Object.entries(wanted)) {
      const want = bindingOf(name, credential);
      const have = listed[name];
      const header = want.auth.type === 'apiKey' ? want.auth.name.toLowerCase() : undefined;
      if (have === undefined || have.hosts.join(',') !== want.match.hosts.join(',') || have.header?.toLowerCase() !== header) {
        return result(false, `the Credential Vault does not list ${name} bound to ${want.match.hosts.join(', ')}`, '`owctl apply` writes it again');
      }
    }
    const extra = Object.keys(listed).filter((name) => !(name in wanted));
    if (extra.length > 0) return result(false, `the Credential Vault also holds ${extra.join(', ')}, which the file does not declare`, '`owctl apply` removes it');
    return result(true, `the Credential Vault lists ${Object.keys(wanted).join(', ')} (values write-only); each guest variable was created with a fake value (the engine cannot read env back)`);
  } catch (error) {
    return result(false, (error as Error).message, (error as OwctlError).hint);
  }
}
