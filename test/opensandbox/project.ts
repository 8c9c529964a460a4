/** A project folder with an openwork.yaml for the opensandbox backend, run against a stand-in. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, type CliResult } from '../helpers/cli.ts';
import { OpenSandboxStandin, type StandinOptions } from '../opensandbox-standin/standin.ts';

export const API_KEY = 'osk-standin-key-4f9a2c7e1b';
export const IMAGE = 'openwork:dev';
export const IMAGE_V2 = 'openwork:v2';

export interface SandboxDecl {
  name: string;
  image?: string;
  labels?: Record<string, string>;
  maxDuration?: string;
  memory?: string;
  /** `server: { port }`. */
  serverPort?: number;
  /** More YAML lines under the sandbox, as written (e.g. `network:` and `credentials:` blocks, indented by 4). */
  extra?: string[];
  /** Appended to both tokens: a new value rotates them. */
  tokenVersion?: string;
}

/** The server a project runs against: its URL, key, and the images and command its sandboxes use. */
export interface Target {
  url: string;
  apiKey: string;
  image: string;
  imageV2: string;
  command: string;
}

export class Project {
  readonly env: NodeJS.ProcessEnv;
  private constructor(
    readonly dir: string,
    private readonly server: OpenSandboxStandin | undefined,
    readonly project: string,
    readonly target: Target,
  ) {
    this.env = { HOME: dir, PATH: process.env.PATH, OPEN_SANDBOX_API_KEY: target.apiKey, OPEN_SANDBOX_URL: target.url };
  }

  /** The stand-in's internals (tests that only the stand-in can run). */
  get standin(): OpenSandboxStandin {
    if (this.server === undefined) throw new Error('this project runs against a real OpenSandbox server: no stand-in internals');
    return this.server;
  }

  static async start(options: StandinOptions = {}, project = 'demo'): Promise<Project> {
    const standin = new OpenSandboxStandin({ apiKey: API_KEY, images: [IMAGE, IMAGE_V2], ...options });
    await standin.start();
    const dir = await mkdtemp(join(tmpdir(), 'owctl-os-'));
    return new Project(dir, standin, project, { url: standin.url, apiKey: API_KEY, image: IMAGE, imageV2: IMAGE_V2, command: '/usr/local/bin/openwork-server' });
  }

  /** A project on a server owctl's tests do not control (a real OpenSandbox): everything is read through its API. */
  static async against(target: Target, project: string): Promise<Project> {
    return new Project(await mkdtemp(join(tmpdir(), 'owctl-os-')), undefined, project, target);
  }

  /** This project's live sandboxes, read through the lifecycle API (as a user would), newest first. */
  async live(): Promise<Array<{ id: string; name: string; state: string; metadata: Record<string, string> }>> {
    const filter = encodeURIComponent(`owctl.dev/project=${this.project}`);
    const res = await fetch(`${this.target.url}/v1/sandboxes?metadata=${filter}&pageSize=200`, { headers: { 'OPEN-SANDBOX-API-KEY': this.target.apiKey } });
    if (res.status !== 200) throw new Error(`listing sandboxes: HTTP ${res.status}: ${(await res.text()).slice(0, 200)}`);
    const body = (await res.json()) as { items: Array<{ id: string; status: { state: string }; metadata?: Record<string, string> }> };
    return body.items.map((item) => ({ id: item.id, name: item.metadata?.['owctl.dev/name'] ?? '', state: item.status.state, metadata: item.metadata ?? {} }));
  }

  /** Tokens per sandbox, in .env (as `owctl init` writes them). */
  token(name: string, which: 'client' | 'host', version = ''): string {
    return `${which}-${name}-tok-5d8e3b2a9c71f04e${version}`;
  }

  /** `dotenv`: more variables for .env (e.g. a credential's value). */
  async write(sandboxes: SandboxDecl[], dotenv: Record<string, string> = {}): Promise<void> {
    const lines = [
      'version: 1',
      `project: ${this.project}`,
      'backend: { type: opensandbox, url: "${OPEN_SANDBOX_URL}", api_key: "${OPEN_SANDBOX_API_KEY}", request_timeout: 60s }',
      'defaults:',
      `  command: [${this.target.command}]`,
      '  verify: { timeout: 60s }',
      'sandboxes:',
      ...sandboxes.flatMap((s) => [
        `  ${s.name}:`,
        `    image: ${s.image ?? this.target.image}`,
        `    tokens: { client: "\${TOK_${s.name.toUpperCase()}_C}", host: "\${TOK_${s.name.toUpperCase()}_H}" }`,
        ...(s.memory ? [`    resources: { memory: ${s.memory} }`] : []),
        ...(s.maxDuration ? [`    max_duration: ${s.maxDuration}`] : []),
        ...(s.labels ? [`    labels: ${JSON.stringify(s.labels)}`] : []),
        ...(s.serverPort ? [`    server: { port: ${s.serverPort} }`] : []),
        ...(s.extra ?? []),
      ]),
      '',
    ];
    await writeFile(join(this.dir, 'openwork.yaml'), lines.join('\n'));
    const env = sandboxes.flatMap((s) => [`TOK_${s.name.toUpperCase()}_C=${this.token(s.name, 'client', s.tokenVersion)}`, `TOK_${s.name.toUpperCase()}_H=${this.token(s.name, 'host', s.tokenVersion)}`]);
    env.push(...Object.entries(dotenv).map(([k, v]) => `${k}=${v}`));
    await writeFile(join(this.dir, '.env'), `${env.join('\n')}\n`);
  }

  owctl(args: string[], extra: NodeJS.ProcessEnv = {}): Promise<CliResult> {
    return runCli(args, { env: { ...this.env, ...extra }, cwd: this.dir });
  }

  /** Every secret the project uses: none may appear in any output, plan file, log or request URL. */
  secrets(names: string[]): string[] {
    return [this.target.apiKey, ...names.flatMap((n) => [this.token(n, 'client'), this.token(n, 'host')])];
  }

  async close(): Promise<void> {
    await this.server?.stop();
    await rm(this.dir, { recursive: true, force: true });
  }
}

export function mutating(exchanges: ReturnType<OpenSandboxStandin['exchanges']>) {
  return exchanges.filter((e) => e.method !== 'GET');
}

export function assertNoSecrets(texts: string[], secrets: string[]): void {
  for (const text of texts) for (const secret of secrets) if (text.includes(secret)) throw new Error(`a secret appeared in output: ${text.slice(0, 200)}`);
}

export type { CliResult };
