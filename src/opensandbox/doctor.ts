/**
 * `owctl doctor` for a file whose backend is OpenSandbox: the server answers at its URL, accepts the key, what version
 * it says it is, and what a create will need from it that owctl cannot check without creating. No msb, no KVM.
 */
import type { BackendSpec, DesiredState } from '../model/desired.ts';
import { isOwctlError } from '../errors.ts';
import { safeUrl } from './answers.ts';
import { OpenSandboxClient } from './client.ts';
import { LABEL_PROJECT } from '../model/labels.ts';

type Spec = Extract<BackendSpec, { type: 'opensandbox' }>;

export interface OpenSandboxCheck {
  url: string;
  /** `/health` (no key) answered 200. */
  healthy: boolean;
  /** What the server says it runs, when it says (null: it does not report a version). */
  version: string | null;
  apiKey: 'accepted' | 'refused' | 'not set' | 'not checked';
  /** What create needs from the server, per the file (informational: only a create proves it). */
  createNeeds: string[];
}

export interface DoctorProblem {
  code: string;
  message: string;
  hint?: string;
}

function problemOf(error: unknown): DoctorProblem {
  if (isOwctlError(error)) return { code: error.code, message: error.message, ...(error.hint === undefined ? {} : { hint: error.hint }) };
  return { code: 'opensandbox.failed', message: error instanceof Error ? error.message : String(error) };
}

function createNeeds(desired: DesiredState): string[] {
  const images = [...new Set(desired.sandboxes.map((s) => s.image.ref))].sort();
  const paths = [...new Set(desired.sandboxes.flatMap((s) => s.mounts.filter((m) => m.type === 'bind').map((m) => m.source)))].sort();
  const longest = Math.max(0, ...desired.sandboxes.map((s) => s.maxDurationSecs ?? 0));
  return [
    ...(images.length > 0 ? [`the server can pull ${images.join(', ')}`] : []),
    ...(paths.length > 0 ? [`the server's allowed_host_paths cover ${paths.join(', ')}`] : []),
    ...(longest > 0 ? [`the server's max_sandbox_timeout_seconds is at least ${longest} (the longest max_duration)`] : []),
  ];
}

export async function checkOpenSandbox(spec: Spec, desired: DesiredState, secrets: readonly string[]): Promise<{ check: OpenSandboxCheck; problems: DoctorProblem[]; warnings: string[] }> {
  const client = new OpenSandboxClient({ url: spec.url, apiKey: spec.apiKey, timeoutMs: Math.min(spec.requestTimeoutSecs, 15) * 1000, secrets });
  const check: OpenSandboxCheck = { url: safeUrl(spec.url), healthy: false, version: null, apiKey: 'not checked', createNeeds: createNeeds(desired) };
  const problems: DoctorProblem[] = [];
  const warnings: string[] = [];
  try {
    const health = await client.health();
    check.healthy = true;
    check.version = health.version;
    if (health.version === null) warnings.push('the server does not report its version on /health; owctl is tested against OpenSandbox 4db3a993 (Docker runtime)');
    try {
      await client.listPage({ [LABEL_PROJECT]: desired.project });
      check.apiKey = spec.apiKey === undefined ? 'not set' : 'accepted';
    } catch (error) {
      if (isOwctlError(error) && error.code === 'opensandbox.unauthorized') check.apiKey = 'refused';
      problems.push(problemOf(error));
    }
  } catch (error) {
    problems.push(problemOf(error));
  } finally {
    await client.close();
  }
  return { check, problems, warnings };
}
