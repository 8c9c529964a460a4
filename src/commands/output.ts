/** `owctl output [NAME…] [--json]`: each declared sandbox's connect URL and where its tokens live, never a token. */
import type { Backend } from '../apply/backend.ts';
import type { ApplyResult } from '../apply/events.ts';
import { EXIT, OwctlError } from '../errors.ts';
import type { DesiredSandbox, DesiredState } from '../model/desired.ts';
import { OUTPUT_FORMAT_VERSION, renderOutputs, sandboxOutput, type OutputDocument, type SandboxOutput } from '../views/outputs.ts';
import { style } from '../views/style.ts';
import { openBackend, startMsb } from './backend.ts';
import type { CommandIO } from './io.ts';
import { readTokenFile } from '../secrets/token-files.ts';
import { recordOn, standingOf } from './token-standing.ts';
import { loadFile } from './load-file.ts';

/** Where each sandbox's server answers, as the backend says (on msb: from the file's ports, without calling msb). */
async function outputsOf(sandboxes: DesiredSandbox[], backend: Backend, projectDir: string): Promise<SandboxOutput[]> {
  return Promise.all(sandboxes.map(async (s) => sandboxOutput(s, await backend.serverAddress(s), await filesCurrent(s, backend, projectDir))));
}

/** Per person whose file is on this machine: whether it holds their current token, where the record can tell. */
async function filesCurrent(sandbox: DesiredSandbox, backend: Backend, projectDir: string): Promise<Record<string, boolean>> {
  const files = (await Promise.all((sandbox.access ?? []).map(async (e) => [e.person, await readTokenFile(projectDir, sandbox.name, e.person)] as const))).filter(([, value]) => value !== null);
  if (files.length === 0) return {};
  const record = await recordOn(backend, sandbox);
  const judged = files.map(([person, value]) => [person, standingOf(record, sandbox, person, value!)] as const).filter(([, standing]) => standing !== 'unknown');
  return Object.fromEntries(judged.map(([person, standing]) => [person, standing === 'current']));
}

export async function outputCommand(options: { file: string; msb?: string; names: string[]; json: boolean }, io: CommandIO): Promise<number> {
  const early = startMsb(options.msb, io);
  const { desired, secrets } = await loadFile(options.file, io, 'output');
  const unknown = options.names.filter((name) => !desired.sandboxes.some((s) => s.name === name));
  if (unknown.length > 0) throw new OwctlError('usage', `no sandbox named ${unknown.join(', ')} in ${options.file}`, { hint: 'run `owctl output` to list them all' });
  const chosen = desired.sandboxes.filter((s) => options.names.length === 0 || options.names.includes(s.name));
  const outputs = await outputsOf(chosen, await openBackend(desired, secrets, io, early), desired.dir);
  if (options.json) {
    const document: OutputDocument = { format_version: OUTPUT_FORMAT_VERSION, project: desired.project, outputs };
    io.stdout(`${JSON.stringify(document, null, 2)}\n`);
  } else {
    io.stdout(renderOutputs(outputs, style(io.color)));
  }
  return EXIT.ok;
}

/** After an apply: the outputs of every sandbox it created, replaced, updated or started successfully. */
export async function appliedOutputList(result: ApplyResult, desired: DesiredState, backend: Backend): Promise<SandboxOutput[]> {
  const touched = new Set(result.outcomes.filter((o) => o.outcome === 'succeeded' && o.action !== 'delete').map((o) => o.sandbox));
  return outputsOf(desired.sandboxes.filter((s) => touched.has(s.name)), backend, desired.dir);
}

/** appliedOutputList for a person: a titled section, or nothing when nothing was touched. */
export async function appliedOutputs(result: ApplyResult, desired: DesiredState, backend: Backend, io: CommandIO): Promise<string> {
  const outputs = await appliedOutputList(result, desired, backend);
  if (outputs.length === 0) return '';
  const s = style(io.color);
  return `\n${s.bold('Outputs')} (again any time with \`owctl output\`):\n${renderOutputs(outputs, s)}`;
}
