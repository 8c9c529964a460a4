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
  /** Appended to both tokens: a new value rotates them. */
  tokenVersion?: string;
}

export class Project {
  readonly env: NodeJS.ProcessEnv;
  private constructor(
    readonly dir: string,
    readonly standin: OpenSandboxStandin,
    readonly project: string,
  ) {
    this.env = { HOME: dir, PATH: process.env.PATH, OPEN_SANDBOX_API_KEY: API_KEY, OPEN_SANDBOX_URL: standin.url };
  }

  static async start(options: StandinOptions = {}, project = 'demo'): Promise<Project> {
    const standin = new OpenSandboxStandin({ apiKey: API_KEY, images: [IMAGE, IMAGE_V2], ...options });
    await standin.start();
    const dir = await mkdtemp(join(tmpdir(), 'owctl-os-'));
    return new Project(dir, standin, project);
  }

  /** Tokens per sandbox, in .env (as `owctl init` writes them). */
  token(name: string, which: 'client' | 'host', version = ''): string {
    return `${which}-${name}-tok-5d8e3b2a9c71f04e${version}`;
  }

  async write(sandboxes: SandboxDecl[]): Promise<void> {
    const lines = [
      'version: 1',
      `project: ${this.project}`,
      'backend: { type: opensandbox, url: "${OPEN_SANDBOX_URL}", api_key: "${OPEN_SANDBOX_API_KEY}", request_timeout: 60s }',
      'defaults:',
      '  command: [/usr/local/bin/openwork-server]',
      '  verify: { timeout: 60s }',
      'sandboxes:',
      ...sandboxes.flatMap((s) => [
        `  ${s.name}:`,
        `    image: ${s.image ?? IMAGE}`,
        `    tokens: { client: "\${TOK_${s.name.toUpperCase()}_C}", host: "\${TOK_${s.name.toUpperCase()}_H}" }`,
        ...(s.memory ? [`    resources: { memory: ${s.memory} }`] : []),
        ...(s.maxDuration ? [`    max_duration: ${s.maxDuration}`] : []),
        ...(s.labels ? [`    labels: ${JSON.stringify(s.labels)}`] : []),
        ...(s.serverPort ? [`    server: { port: ${s.serverPort} }`] : []),
      ]),
      '',
    ];
    await writeFile(join(this.dir, 'openwork.yaml'), lines.join('\n'));
    const env = sandboxes.flatMap((s) => [`TOK_${s.name.toUpperCase()}_C=${this.token(s.name, 'client', s.tokenVersion)}`, `TOK_${s.name.toUpperCase()}_H=${this.token(s.name, 'host', s.tokenVersion)}`]);
    await writeFile(join(this.dir, '.env'), `${env.join('\n')}\n`);
  }

  owctl(args: string[], extra: NodeJS.ProcessEnv = {}): Promise<CliResult> {
    return runCli(args, { env: { ...this.env, ...extra }, cwd: this.dir });
  }

  /** Every secret the project uses: none may appear in any output, plan file, log or request URL. */
  secrets(names: string[]): string[] {
    return [API_KEY, ...names.flatMap((n) => [this.token(n, 'client'), this.token(n, 'host')])];
  }

  async close(): Promise<void> {
    await this.standin.stop();
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
