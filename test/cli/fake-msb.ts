/**
 * A scripted stand-in for msb in a throw-away project folder: every call's argv is recorded, and each subcommand
 * answers what the test scripted (stdout, stderr, exit code). For command-line behaviour that needs no sandbox.
 */
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, type CliResult } from '../helpers/cli.ts';

export const TOKENS = { OPENWORK_TOKEN: 'cli-test-client-0123456789abcdef', OPENWORK_HOST_TOKEN: 'cli-test-host-0123456789abcdef' };

export interface Answer {
  stdout?: string;
  stderr?: string;
  exit?: number;
}

export const MINIMAL_FILE = `version: 1
project: demo
sandboxes:
  alice:
    image: openwork-microsandbox:dev
    ports: [{ host: 18787, guest: 8787 }]
    tokens: { client: "\${OPENWORK_TOKEN}", host: "\${OPENWORK_HOST_TOKEN}" }
`;

export class FakeProject {
  private constructor(
    readonly dir: string,
    readonly msb: string,
    private readonly log: string,
  ) {}

  /**
   * `answers` maps the first msb argument (`ls`, `inspect`, `exec`, …) to its answer; by default `context` is local,
   * images and sandboxes are not found, and anything else answers `[]`.
   */
  static async create(answers: Record<string, Answer> = {}, file = MINIMAL_FILE): Promise<FakeProject> {
    const dir = await mkdtemp(join(tmpdir(), 'owctl-cli-'));
    const log = join(dir, 'argv.log');
    const msb = join(dir, 'fake-msb');
    const cases = Object.entries(answers)
      .map(([sub, a]) => `  ${sub}) printf '%s' '${(a.stdout ?? '').replace(/'/g, `'\\''`)}'; printf '%s' '${(a.stderr ?? '').replace(/'/g, `'\\''`)}' >&2; exit ${a.exit ?? 0};;`)
      .join('\n');
    await writeFile(
      msb,
      `#!/bin/sh\nprintf '%s\\037' "$@" >> '${log}'\nprintf '\\n' >> '${log}'\ncase "$1" in\n${cases}\n  context) echo '{"kind":"local","source":"default"}';;\n  image) echo 'error: image not found: x' >&2; exit 1;;\n  inspect) echo 'error: sandbox not found: x' >&2; exit 1;;\n  *) echo '[]';;\nesac\n`,
    );
    await chmod(msb, 0o755);
    await writeFile(join(dir, 'openwork.yaml'), file);
    return new FakeProject(dir, msb, log);
  }

  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return { PATH: process.env.PATH, HOME: this.dir, MSB_HOME: join(this.dir, 'msb-home'), OWCTL_MSB: this.msb, ...TOKENS, ...extra };
  }

  owctl(args: string[], extra: Record<string, string> = {}): Promise<CliResult> {
    return runCli(args, { env: this.env(extra), cwd: this.dir });
  }

  async calls(): Promise<string[][]> {
    const text = await readFile(this.log, 'utf8').catch(() => '');
    return text.split('\n').filter((l) => l !== '').map((l) => l.split('\u001f').filter((a) => a !== ''));
  }

  cleanup(): Promise<void> {
    return rm(this.dir, { recursive: true, force: true });
  }
}

/** `msb inspect NAME --format json` of a sandbox (stopped by default) with these labels (the fields owctl reads). */
export function inspectJson(name: string, labels: Record<string, string>, port = 18787, status = 'Stopped'): string {
  return JSON.stringify({
    name,
    status,
    config: {
      image: { Oci: { reference: 'openwork-microsandbox:dev' } },
      pull_policy: 'IfMissing',
      labels,
      resources: { cpus: 2, memory_mib: 2048 },
      env: [],
      mounts: [],
      network: { ports: [{ host_port: port, guest_port: 8787, host_bind: '127.0.0.1', protocol: 'Tcp' }] },
      lifecycle: {},
    },
  });
}
