/**
 * A sandbox's egress sidecar over undici, reached as the upstream SDKs reach it: the lifecycle API's endpoint for
 * port 18080, with the headers that answer names (the sandbox's `OPENSANDBOX-EGRESS-AUTH` token) on every request.
 * `/policy` holds the egress rules in force; `/credential-vault` the credentials (values write-only: no answer ever
 * carries one) and the bindings that inject them. The sidecar answers errors as plain text: they are classified by
 * status and redacted of every known secret before they reach a message.
 */
import { Agent, request } from 'undici';
import { OwctlError } from '../errors.ts';
import { redactAll } from './errors.ts';
import type { WireEgressRule, WirePolicyStatus, WireVaultCreate, WireVaultMutation, WireVaultState } from './egress-wire.ts';

export const EGRESS_PORT = 18080;
export const EGRESS_AUTH_HEADER = 'OPENSANDBOX-EGRESS-AUTH';

export interface EgressClientOptions {
  /** `http://` + the endpoint the lifecycle API answered for port 18080, without a trailing slash. */
  url: string;
  headers: Record<string, string>;
  timeoutMs: number;
  /** The sandbox's name, for messages. */
  name: string;
  /** Values to redact from anything the sidecar says (credential values, tokens). */
  secrets: readonly string[];
}

export class EgressClient {
  private readonly agent = new Agent({ connect: { timeout: 10_000 }, keepAliveTimeout: 2_000 });

  constructor(private readonly options: EgressClientOptions) {}

  /** Where the sidecar answers (for messages: it holds no secret). */
  get url(): string {
    return this.options.url;
  }

  private async call<T>(method: string, path: string, doing: string, body?: unknown, accept: number[] = [200], headers = this.options.headers): Promise<{ status: number; value: T | undefined }> {
    const sent: Record<string, string> = { ...headers, accept: 'application/json' };
    if (body !== undefined) sent['content-type'] = 'application/json';
    let answer;
    try {
      answer = await request(`${this.options.url}${path}`, {
        dispatcher: this.agent,
        method: method as 'GET',
        headers: sent,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (error) {
      throw new OwctlError('opensandbox.egress', `the egress sidecar of ${this.options.name} did not answer ${doing}`, {
        hint: 'the sandbox was created without a networkPolicy, or its sidecar is down: `owctl plan` shows it; `owctl apply` replaces a sandbox whose sidecar is missing',
        details: { url: this.options.url, ...(typeof (error as { code?: unknown }).code === 'string' ? { network_code: (error as { code: string }).code } : {}) },
      });
    }
    const text = await answer.body.text();
    if (!accept.includes(answer.statusCode)) throw this.refused(answer.statusCode, text, doing);
    const json = String(answer.headers['content-type'] ?? '').includes('json') && text !== '';
    return { status: answer.statusCode, value: json ? (JSON.parse(text) as T) : undefined };
  }

  private refused(status: number, text: string, doing: string): OwctlError {
    const said = redactAll(text.trim(), this.options.secrets).slice(0, 300);
    const hint =
      status === 401
        ? 'the sidecar refused the sandbox\'s egress token: the endpoint answer for port 18080 did not carry the token of this sandbox\'s sidecar'
        : status === 412
          ? 'the server started this sandbox without Credential Proxy: `owctl apply` creates sandboxes with credentials with `credentialProxy.enabled` (and the server needs its `[egress].image`)'
          : status === 426
            ? 'the sidecar accepts vault writes only over loopback or TLS: reach the server directly, not through its server proxy'
            : 'fix the rule or credential named above in the file (`owctl validate` checks what it can), then run `owctl apply` again';
    return new OwctlError('opensandbox.egress', `the egress sidecar of ${this.options.name} refused ${doing} (HTTP ${status})${said ? `: ${said}` : ''}`, { hint, details: { status } });
  }

  async policy(): Promise<WirePolicyStatus> {
    return (await this.call<WirePolicyStatus>('GET', '/policy', 'reading the egress policy')).value ?? { policy: {} };
  }

  /** Merge rules into the policy: incoming rules take precedence over existing rules for the same target. */
  async patchRules(rules: WireEgressRule[]): Promise<void> {
    if (rules.length > 0) await this.call('PATCH', '/policy', 'changing egress rules', rules);
  }

  async deleteRules(targets: string[]): Promise<void> {
    if (targets.length > 0) await this.call('DELETE', '/policy', 'removing egress rules', targets);
  }

  /** The sanitized vault, or undefined when none was created yet (404). */
  async vault(): Promise<WireVaultState | undefined> {
    const { status, value } = await this.call<WireVaultState>('GET', '/credential-vault', 'reading the Credential Vault', undefined, [200, 404]);
    return status === 404 ? undefined : value;
  }

  async createVault(body: WireVaultCreate): Promise<WireVaultState> {
    return (await this.call<WireVaultState>('POST', '/credential-vault', 'creating the Credential Vault', body, [201]))!.value!;
  }

  async patchVault(body: WireVaultMutation): Promise<WireVaultState> {
    return (await this.call<WireVaultState>('PATCH', '/credential-vault', 'changing the Credential Vault', body))!.value!;
  }

  /**
   * Whether the sidecar that answers is this sandbox's own: it must refuse a wrong egress token and accept the one
   * the endpoint answer carried. A sidecar that checks no token, or an address shared by every sandbox (host
   * networking) without one, proves nothing.
   */
  async ownershipProven(): Promise<boolean> {
    const token = Object.entries(this.options.headers).find(([key]) => key.toLowerCase() === EGRESS_AUTH_HEADER.toLowerCase())?.[1];
    if (token === undefined || token === '') return false;
    const wrong = { ...this.options.headers, [EGRESS_AUTH_HEADER]: `${token}-not-this-sandbox` };
    const impostor = await this.call('GET', '/policy', 'a wrong egress token', undefined, [200, 401], wrong).catch(() => undefined);
    if (impostor?.status !== 401) return false;
    const own = await this.call('GET', '/policy', 'the egress token', undefined, [200, 401]).catch(() => undefined);
    return own?.status === 200;
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}
